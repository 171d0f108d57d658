using System.Globalization;
using US3L.Models;
using US3L.Slimmable;
using US3L.Torch;
using US3L.Torch.Serialization;

namespace US3L.Detection;

/// <summary>
/// The backbone a detection fine-tuning starts from (science.md 10.6): random init, or the weights
/// of a file that is one of
/// <list type="bullet">
/// <item>a pretraining run's checkpoint (<c>runs/&lt;run&gt;/checkpoints/last.safetensors</c>, keys
/// <c>model.backbone.*</c>): its own config gives the arch, divisor and trained width range;</item>
/// <item>a backbone state_dict, as <c>us3l import</c> writes it (plain names, or under <c>backbone.</c>);</item>
/// <item>a width-exported network (<c>us3l export</c>, metadata <c>width</c>): its tensors fill the
/// first channels of the slimmable network, which then fine-tunes at that width only.</item>
/// </list>
/// The stem's input channels come from the file.
/// </summary>
public sealed record DetectBackbone(string Arch, int Divisor, int InChannels, WidthRange TrainedRange, string? Checkpoint, double? ExportedWidth)
{
    /// <summary>Reads what <paramref name="config"/> asks for: its checkpoint's description, or a random init of its arch.</summary>
    public static DetectBackbone Describe(DetectFinetuneConfig config, int randomInitChannels)
    {
        if (config.Checkpoint.Length == 0)
            return new DetectBackbone(config.Arch, config.Divisor, randomInitChannels, WidthRange.Default, null, null);
        var path = config.Checkpoint;
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint not found: {path}", path);
        var (tensors, meta) = Safetensors.ReadHeader(path);
        var arch = config.Arch;
        var divisor = config.Divisor;
        var range = WidthRange.Default;
        double? exported = null;
        if (meta.TryGetValue("format", out var format) && format == "us3l-pretrain-1")
        {
            var pretrain = Training.ConfigJson.Read(meta["config"]);
            if (pretrain.Arch != config.Arch)
                throw new ArgumentException($"{path} was pretrained with arch {pretrain.Arch}, not {config.Arch}; pass --arch {pretrain.Arch}.");
            divisor = pretrain.Divisor;
            var min = pretrain.Sampler == Training.SamplerKind.Fixed ? Math.Min(pretrain.WidthMin, pretrain.FixedWidths.Min()) : pretrain.WidthMin;
            range = new WidthRange(min, pretrain.WidthMax);
        }
        else
        {
            if (meta.TryGetValue("arch", out var fileArch) && fileArch != config.Arch)
                throw new ArgumentException($"{path} holds a {fileArch} backbone, not {config.Arch}; pass --arch {fileArch}.");
            if (meta.TryGetValue("width", out var w)) exported = double.Parse(w, CultureInfo.InvariantCulture);
        }
        var stem = tensors.FirstOrDefault(t => t.shape.Length == 4 && BackboneKey(t.name) is not null);
        if (stem.name is null) throw new ArgumentException($"{path} holds no backbone convolution (expected keys such as conv1.weight or model.backbone.conv1.weight).");
        return new DetectBackbone(arch, divisor, (int)stem.shape[1], range, path, exported);
    }

    /// <summary>The backbone's name for a checkpoint key, or null for a key that is not the backbone's (heads, teacher, optimizer).</summary>
    private static string? BackboneKey(string key)
    {
        foreach (var prefix in new[] { "model.backbone.", "backbone." })
            if (key.StartsWith(prefix, StringComparison.Ordinal)) return key[prefix.Length..];
        return key.Contains('.') && !key.StartsWith("model.", StringComparison.Ordinal) && !key.StartsWith("teacher.", StringComparison.Ordinal)
            && !key.StartsWith("optimizer.", StringComparison.Ordinal) && !key.StartsWith("projector.", StringComparison.Ordinal)
            && !key.StartsWith("predictor", StringComparison.Ordinal) && !key.StartsWith("rng.", StringComparison.Ordinal) ? key : null;
    }

    /// <summary>Throws unless the backbone can run at <paramref name="width"/>.</summary>
    public void CheckWidth(double width)
    {
        if (ExportedWidth is { } e && Math.Abs(e - width) > 1e-9)
            throw new ArgumentException(
                $"{Checkpoint} is a network exported at width {e.ToString(CultureInfo.InvariantCulture)}; it can fine-tune at that width only, not {width.ToString(CultureInfo.InvariantCulture)}.");
        if (!TrainedRange.Contains(width))
            throw new ArgumentException($"width {width.ToString(CultureInfo.InvariantCulture)} is outside the range {TrainedRange} the backbone was trained for.");
    }

    /// <summary>A fresh backbone with these weights (random init from <paramref name="seed"/> when there is no checkpoint).</summary>
    public SlimmableNetwork Create(long seed)
    {
        var network = ModelRegistry.Create(Arch, new ModelOptions { InChannels = InChannels, Divisor = Divisor, TrainedRange = TrainedRange, Seed = seed });
        if (Checkpoint is null) return network;
        try
        {
            Load(network);
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private void Load(SlimmableNetwork network)
    {
        var (tensors, _) = Safetensors.Load(Checkpoint!);
        try
        {
            var state = new Dictionary<string, Tensor>();
            foreach (var (key, value) in tensors)
                if (BackboneKey(key) is { } name) state[name] = value;
            var own = network.state_dict();
            var missing = own.Keys.Where(k => !state.ContainsKey(k) && !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)
                && !k.EndsWith("running_mean", StringComparison.Ordinal) && !k.EndsWith("running_var", StringComparison.Ordinal)).ToList();
            if (missing.Count > 0)
                throw new ArgumentException($"{Checkpoint} does not hold the {Arch} backbone: {missing.Count} tensors are missing, e.g. '{missing[0]}'.");
            using var noGrad = torch.no_grad();
            foreach (var (name, target) in own)
            {
                if (!state.TryGetValue(name, out var source)) continue;
                var fits = source.dim() == target.dim() && Enumerable.Range(0, (int)target.dim()).All(d => ExportedWidth is null
                    ? source.size(d) == target.size(d) : source.size(d) <= target.size(d));
                if (!fits)
                    throw new ArgumentException(
                        $"{Checkpoint}: '{name}' has shape [{string.Join(", ", source.shape)}] but {Arch} with divisor {Divisor} has [{string.Join(", ", target.shape)}].");
                var view = target;
                for (var d = 0; d < target.dim(); d++) view = view.narrow(d, 0, source.size(d));
                view.copy_(source);
            }
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
