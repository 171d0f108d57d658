using US3L.Heads;
using US3L.Models;
using US3L.Slimmable;
using US3L.Torch;
using US3L.Torch.nn;
using US3L.Torch.Serialization;

namespace US3L.Import;

/// <summary>Sorts a state dict's tensors by role, then matches them to the kit model and the kit heads.</summary>
internal sealed class CheckpointMapping
{
    private readonly CheckpointLayout layout;
    private readonly ImportOptions options;
    private readonly List<(string Key, string Inner, StoredTensor Tensor)> backbone = new();
    private readonly List<(string Key, string Head, string Name, StoredTensor Tensor)> heads = new();
    private readonly List<DroppedTensor> dropped = new();
    private readonly List<UnexpectedTensor> unexpected = new();

    public CheckpointMapping(CheckpointLayout layout, ImportOptions options)
    {
        this.layout = layout;
        this.options = options;
    }

    private bool ReferenceLayout => layout.Online is "encoder_q." or "encoder.";

    public void Add(string key, string stripped, StoredTensor tensor)
    {
        var (role, name) = layout.Classify(stripped, options.Teacher);
        if (role == TensorRole.Backbone)
        {
            // The reference's SSL wrappers replace the encoder's fc by the projector MLP (fc.0 ... fc.6).
            if (ReferenceLayout && name.Length > 3 && name.StartsWith("fc.", StringComparison.Ordinal) && char.IsAsciiDigit(name[3]))
                (role, name) = (TensorRole.Projector, name[3..]);
            else if (name.StartsWith("fc.", StringComparison.Ordinal) || name.StartsWith("classifier.", StringComparison.Ordinal))
                role = TensorRole.Classifier;
        }
        switch (role)
        {
            case TensorRole.Backbone:
                backbone.Add((key, name, tensor));
                break;
            case TensorRole.Projector when options.KeepHeads:
            case TensorRole.Predictor or TensorRole.AuxHead when options.KeepHeads && !options.Teacher:
                heads.Add((key, HeadName(role), name, tensor));
                break;
            case TensorRole.Unknown:
                unexpected.Add(new(key, stripped));
                break;
            default:
                dropped.Add(new(key, Reason(role)));
                break;
        }
    }

    private static string HeadName(TensorRole role) => role switch
    {
        TensorRole.Projector => "projector",
        TensorRole.Predictor => "predictor",
        _ => "predictor_new",
    };

    private string Reason(TensorRole role) => role switch
    {
        TensorRole.OtherEncoder => options.Teacher ? $"online encoder ({layout.Online}*)" : $"teacher ({layout.Other}*)",
        TensorRole.Projector => "projector (--heads keeps it)",
        TensorRole.Predictor or TensorRole.AuxHead when options.Teacher => "online predictor (the teacher has none)",
        TensorRole.Predictor => "predictor (--heads keeps it)",
        TensorRole.AuxHead => "auxiliary head (--heads keeps it)",
        TensorRole.Classifier => "classifier (the kit's backbones have none)",
        _ => "training state",
    };

    public ImportResult Resolve(string path, string format, SlimmableNetwork model, string? checkpointArch, long? epoch, int total,
        List<DroppedTensor> notTensors)
    {
        dropped.InsertRange(0, notTensors);
        var kitNames = ReferenceNames.ToKit(backbone.Select(b => b.Inner).ToList(), model is USMobileNetV2);
        var renamed = new HashSet<string>(StringComparer.Ordinal);
        var byKit = new Dictionary<string, (string Key, StoredTensor Tensor)>(StringComparer.Ordinal);
        foreach (var (key, inner, tensor) in backbone)
        {
            var kit = kitNames[inner];
            if (!byKit.TryAdd(kit, (key, tensor)))
                throw new InvalidDataException($"'{path}': {byKit[kit].Key} and {key} both map to the kit's {kit}.");
            if (kit != inner) renamed.Add(kit);
        }
        // A BN gets running statistics exactly when the checkpoint has them for it (US-BNs of SSL training have none).
        foreach (var (prefix, m) in model.named_modules())
            if (m is BatchNormBase bn && byKit.ContainsKey(prefix + ".running_mean")) bn.CreateRunningStats();

        var tensors = new OrderedDictionary<string, Tensor>();
        var loaded = new List<(string From, string To)>();
        var missing = new List<string>();
        var statistics = new List<string>();
        var renamedCount = 0;
        try
        {
            using (var scope = torch.NewDisposeScope())
            {
                var kitState = model.state_dict();
                CheckShapes(path, model.Arch, kitState, byKit);
                var prefix = options.KeepHeads ? "backbone." : "";
                foreach (var (name, target) in kitState)
                {
                    if (!byKit.Remove(name, out var source))
                    {
                        (IsStatistic(name) ? statistics : missing).Add(prefix + name);
                        continue;
                    }
                    tensors.Add(prefix + name, Convert(path, source, target, scope));
                    loaded.Add((source.Key, prefix + name));
                    if (renamed.Contains(name)) renamedCount++;
                }
                foreach (var (name, source) in byKit) unexpected.Add(new(source.Key, prefix + name));
                if (options.KeepHeads) ResolveHeads(path, model, tensors, loaded, missing, scope);
            }
            return new ImportResult(path, format, layout.Name, model.Arch, options.Teacher ? layout.Other! : layout.Online ?? "",
                checkpointArch, epoch, total, tensors, loaded, renamedCount, dropped, unexpected, missing, statistics);
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The heads, checked against the kit's own (science.md 3.4 "Heads"): a projector Linear → BN → ReLU →
    /// Linear → BN → ReLU → Linear (+ SimSiam's BN) and predictors Linear → BN → ReLU → Linear, sized from the
    /// checkpoint. The reference's head BNs keep running statistics; the kit's use batch statistics, so those are dropped.
    /// </summary>
    private void ResolveHeads(string path, SlimmableNetwork model, OrderedDictionary<string, Tensor> tensors,
        List<(string, string)> loaded, List<string> missing, DisposeScope scope)
    {
        foreach (var group in heads.GroupBy(h => h.Head))
        {
            var byName = group.ToDictionary(h => h.Name, h => (h.Key, h.Tensor), StringComparer.Ordinal);
            using var head = BuildHead(group.Key, byName, model);
            if (head is null)
            {
                foreach (var h in group) unexpected.Add(new(h.Key, $"{h.Head}.{h.Name}"));
                continue;
            }
            var kitState = head.state_dict();
            CheckShapes(path, $"the kit's {group.Key}", kitState, byName);
            foreach (var (name, target) in kitState)
            {
                var full = $"{group.Key}.{name}";
                if (!byName.Remove(name, out var source))
                {
                    missing.Add(full);
                    continue;
                }
                tensors.Add(full, Convert(path, source, target, scope));
                loaded.Add((source.Key, full));
            }
            foreach (var (name, source) in byName)
            {
                if (IsStatistic(name)) dropped.Add(new(source.Key, "head BN statistics (the kit's heads normalise with batch statistics)"));
                else unexpected.Add(new(source.Key, $"{group.Key}.{name}"));
            }
        }
    }

    /// <summary>The kit head the checkpoint's layers describe, or null when they are not the kit's shape of head.</summary>
    private static Module? BuildHead(string head, Dictionary<string, (string Key, StoredTensor Tensor)> byName, SlimmableNetwork model)
    {
        long[]? Shape(string name) => byName.TryGetValue(name, out var v) && v.Tensor.Size.Length == 2 ? v.Tensor.Size : null;
        if (head == "projector")
        {
            if (Shape("0.weight") is not { } first || Shape("6.weight") is not { } last) return null;
            return MlpHeads.Projector(model.FeatureDim(1.0), (int)first[0], (int)last[0], model.Options.Divisor,
                finalBatchNorm: byName.Keys.Any(k => k.StartsWith("7.", StringComparison.Ordinal)), slimInput: model is USResNet);
        }
        if (Shape("0.weight") is not { } input || Shape("3.weight") is not { } output) return null;
        return MlpHeads.Predictor((int)input[1], (int)input[0], (int)output[0]);
    }

    /// <summary>Every shape mismatch is an error: one line with the first (checkpoint key, kit name, both shapes).</summary>
    private static void CheckShapes(string path, string what, IReadOnlyDictionary<string, Tensor> kit,
        Dictionary<string, (string Key, StoredTensor Tensor)> given)
    {
        var bad = kit.Where(p => given.TryGetValue(p.Key, out var g) && !g.Tensor.Size.SequenceEqual(p.Value.shape))
            .Select(p => (Kit: p.Key, Source: given[p.Key].Key, Got: given[p.Key].Tensor.Size, Want: p.Value.shape)).ToList();
        if (bad.Count == 0) return;
        var (kitName, source, got, want) = bad[0];
        var more = bad.Count > 1 ? $" ({bad.Count - 1} more mismatch(es))" : "";
        throw new InvalidDataException(
            $"'{path}': {source} has shape {ShapeText.Of(got)}, but {what}'s {kitName} has {ShapeText.Of(want)}{more}; is --arch right?");
    }

    private static Tensor Convert(string path, (string Key, StoredTensor Tensor) source, Tensor target, DisposeScope scope)
    {
        Tensor loadedTensor;
        try { loadedTensor = source.Tensor.Load(); }
        catch (InvalidDataException e) { throw new InvalidDataException($"'{path}': {source.Key}: {e.Message.TrimEnd('.')}.", e); }
        var converted = loadedTensor.dtype == target.dtype ? loadedTensor : loadedTensor.to(target.dtype);
        return scope.MoveToOuter(converted);
    }

    private static bool IsStatistic(string name) =>
        name.EndsWith(".running_mean", StringComparison.Ordinal) || name.EndsWith(".running_var", StringComparison.Ordinal) ||
        name.EndsWith(".num_batches_tracked", StringComparison.Ordinal);
}
