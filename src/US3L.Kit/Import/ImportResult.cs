using System.Globalization;
using US3L.Torch;
using US3L.Torch.Serialization;

namespace US3L.Import;

/// <summary>A checkpoint tensor left out on purpose, and why (the teacher, a head, training state).</summary>
public sealed record DroppedTensor(string Key, string Reason);

/// <summary>A checkpoint tensor with no place in the kit model: its key, and the kit name it was mapped to.</summary>
public sealed record UnexpectedTensor(string Key, string KitName);

/// <summary>
/// What <see cref="CheckpointImporter"/> made of a checkpoint: the tensors under the kit's names,
/// and an account of every checkpoint tensor (loaded, dropped on purpose, or unexpected) and of
/// every kit tensor the checkpoint did not provide (missing). Owns <see cref="Tensors"/>.
/// </summary>
public sealed class ImportResult : IDisposable
{
    internal ImportResult(string source, string format, string layout, string arch, string encoder, string? checkpointArch, long? epoch,
        int checkpointTensors, OrderedDictionary<string, Tensor> tensors, IReadOnlyList<(string From, string To)> loaded, int renamed,
        IReadOnlyList<DroppedTensor> dropped, IReadOnlyList<UnexpectedTensor> unexpected, IReadOnlyList<string> missing,
        IReadOnlyList<string> missingStatistics)
    {
        Source = source;
        Format = format;
        Layout = layout;
        Arch = arch;
        Encoder = encoder;
        CheckpointArch = checkpointArch;
        Epoch = epoch;
        CheckpointTensors = checkpointTensors;
        Tensors = tensors;
        Loaded = loaded;
        Renamed = renamed;
        Dropped = dropped;
        Unexpected = unexpected;
        Missing = missing;
        MissingStatistics = missingStatistics;
    }

    public string Source { get; }
    /// <summary>The file format (<see cref="TorchCheckpoint.Format"/>).</summary>
    public string Format { get; }
    /// <summary>The wrapper layout recognised (<see cref="CheckpointLayout.Name"/>).</summary>
    public string Layout { get; }
    /// <summary>The kit architecture the tensors were checked against.</summary>
    public string Arch { get; }
    /// <summary>The prefix of the encoder loaded ("encoder_q.", "encoder_k.", or "" for a plain state dict).</summary>
    public string Encoder { get; }
    /// <summary>The checkpoint's own 'arch' field, when it has one.</summary>
    public string? CheckpointArch { get; }
    public long? Epoch { get; }
    /// <summary>Entries of the checkpoint's state dict.</summary>
    public int CheckpointTensors { get; }

    /// <summary>
    /// The tensors in the kit's names and dtypes: the backbone's state_dict names, or with heads the
    /// SslNetwork's (<c>backbone.*</c>, <c>projector.*</c>, <c>predictor.*</c>, <c>predictor_new.*</c>).
    /// </summary>
    public OrderedDictionary<string, Tensor> Tensors { get; }

    /// <summary>Checkpoint key → kit name of every tensor in <see cref="Tensors"/>.</summary>
    public IReadOnlyList<(string From, string To)> Loaded { get; }
    public IReadOnlyList<DroppedTensor> Dropped { get; }
    public IReadOnlyList<UnexpectedTensor> Unexpected { get; }
    /// <summary>Kit parameters the checkpoint does not provide: the import is incomplete when any.</summary>
    public IReadOnlyList<string> Missing { get; }
    /// <summary>BN running statistics the checkpoint does not provide (optional: evaluation recalibrates, science.md 6.3).</summary>
    public IReadOnlyList<string> MissingStatistics { get; }

    /// <summary>Backbone tensors whose name inside the encoder differs from the kit's (the reference MobileNetV2's blocks).</summary>
    public int Renamed { get; }

    /// <summary>Throws one line naming the file when a kit parameter is missing.</summary>
    public void EnsureComplete()
    {
        if (Missing.Count == 0) return;
        var hint = Loaded.Count == 0 ? " No tensor fits: is --arch right?" : "";
        throw new InvalidDataException(
            $"'{Source}' does not fill {Arch}: {Missing.Count} parameter(s) missing ({Sample(Missing)}).{hint}");
    }

    /// <summary>
    /// Writes <see cref="Tensors"/> as safetensors with metadata the kit's commands read (<c>arch</c>)
    /// and where the weights came from.
    /// </summary>
    public void Save(string path)
    {
        var metadata = new Dictionary<string, string>
        {
            ["arch"] = Arch,
            ["format"] = "us3l-import-1",
            ["source"] = Path.GetFileName(Source),
            ["source_format"] = Format,
            ["source_layout"] = Layout,
            ["source_encoder"] = Encoder,
        };
        if (CheckpointArch is not null) metadata["source_arch"] = CheckpointArch;
        if (Epoch is { } epoch) metadata["epoch"] = epoch.ToString(CultureInfo.InvariantCulture);
        Safetensors.Save(path, Tensors, metadata);
    }

    internal static string Sample(IReadOnlyList<string> keys) =>
        string.Join(", ", keys.Take(3)) + (keys.Count > 3 ? $", ... {keys.Count - 3} more" : "");

    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
        Tensors.Clear();
    }
}
