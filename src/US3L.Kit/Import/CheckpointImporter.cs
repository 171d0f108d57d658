using US3L.Models;
using US3L.Torch.Serialization;

namespace US3L.Import;

/// <summary>
/// Reads a PyTorch checkpoint of the official code (or of torchvision, or of another SSL wrapper
/// of <see cref="CheckpointLayout.Known"/>) into the kit's names (science.md 6.6): finds the state
/// dict, strips DDP's <c>module.</c>, picks the encoder, drops the teacher and the heads unless
/// asked, renames the reference's MobileNetV2 blocks (<see cref="ReferenceNames"/>), and checks
/// every tensor's shape against the kit model built for the architecture.
/// </summary>
public static class CheckpointImporter
{
    /// <summary>Where training scripts keep the weights inside a checkpoint dict, tried in order.</summary>
    private static readonly string[] StateDictKeys = { "state_dict", "model", "model_state_dict", "net", "network" };

    public static ImportResult Import(string path, ImportOptions options)
    {
        if (!ModelRegistry.Names.Contains(options.Arch))
            throw new ArgumentException($"unknown architecture '{options.Arch}'; expected one of {string.Join(", ", ModelRegistry.Names)}.");
        using var checkpoint = TorchCheckpoint.Load(path);
        var (state, checkpointArch, epoch) = FindStateDict(path, checkpoint.Root);
        if (checkpointArch is not null && ModelRegistry.Names.Contains(checkpointArch) && checkpointArch != options.Arch)
            throw new ArgumentException($"'{path}' holds a {checkpointArch} (its 'arch' field), not --arch {options.Arch}.");

        var dropped = new List<DroppedTensor>();
        var entries = new List<(string Key, string Stripped, StoredTensor Tensor)>();
        foreach (var (k, v) in state.Entries)
        {
            var key = k as string ?? throw new InvalidDataException($"'{path}': the state dict has a key {PickleText.Of(k)} that is not a string.");
            if (v is StoredTensor t) entries.Add((key, CheckpointLayout.StripDdp(key), t));
            else dropped.Add(new(key, $"not a tensor ({PickleText.TypeOf(v)})"));
        }
        var layout = CheckpointLayout.Detect(entries.Select(e => e.Stripped).ToList());
        if (options.Teacher && (layout.Other is null || !entries.Any(e => e.Stripped.StartsWith(layout.Other, StringComparison.Ordinal))))
            throw new ArgumentException($"'{path}' has no second encoder to load with --teacher (its layout: {layout.Name}).");

        var mapping = new CheckpointMapping(layout, options);
        foreach (var (key, stripped, tensor) in entries) mapping.Add(key, stripped, tensor);

        using var model = ModelRegistry.Create(options.Arch, options.Model with { NumClasses = null });
        return mapping.Resolve(path, checkpoint.Format, model, checkpointArch, epoch, entries.Count + dropped.Count, dropped);
    }

    /// <summary>The state dict of a checkpoint: the root itself when it maps names to tensors, else under a usual key.</summary>
    private static (PickleDict State, string? Arch, long? Epoch) FindStateDict(string path, object? root)
    {
        if (root is not PickleDict dict)
            throw new InvalidDataException($"'{path}' holds a {PickleText.TypeOf(root)}, not a dict of tensors or a checkpoint dict.");
        if (IsStateDict(dict)) return (dict, null, null);
        var arch = dict.TryGetValue("arch", out var a) ? a as string : null;
        var epoch = dict.TryGetValue("epoch", out var e) ? e as long? : null;
        foreach (var key in StateDictKeys)
            if (dict.TryGetValue(key, out var inner) && inner is PickleDict d && IsStateDict(d))
                return (d, arch, epoch);
        throw new InvalidDataException(
            $"'{path}' has no state dict: its top-level keys are [{string.Join(", ", dict.Entries.Select(p => PickleText.Of(p.Key)))}], " +
            $"and none of {string.Join(", ", StateDictKeys)} holds a dict of tensors.");
    }

    private static bool IsStateDict(PickleDict d) =>
        d.Count > 0 && d.Entries.All(p => p.Key is string) && d.Entries.Any(p => p.Value is StoredTensor) &&
        d.Entries.Count(p => p.Value is StoredTensor) * 2 >= d.Count;
}
