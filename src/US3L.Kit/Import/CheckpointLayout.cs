namespace US3L.Import;

/// <summary>What a checkpoint tensor is, once its wrapper prefixes are read (science.md 6.6).</summary>
public enum TensorRole
{
    /// <summary>The chosen encoder's backbone: loaded into the kit model.</summary>
    Backbone,
    /// <summary>The other encoder of a two-encoder wrapper (the EMA teacher, or the student under --teacher).</summary>
    OtherEncoder,
    /// <summary>The projector (the reference's <c>encoder_q.fc.*</c> MLP).</summary>
    Projector,
    /// <summary>The predictor q_θ (<c>predictor.*</c>).</summary>
    Predictor,
    /// <summary>The sub-networks' auxiliary head a_θ (<c>predictor_new.*</c>).</summary>
    AuxHead,
    /// <summary>A classification layer (<c>fc.weight</c>, torchvision MobileNetV2's <c>classifier.1</c>).</summary>
    Classifier,
    /// <summary>Other training state: MoCo/SEED queues, feature-distillation convs.</summary>
    TrainingState,
    /// <summary>Outside every known prefix of the wrapper.</summary>
    Unknown,
}

/// <summary>
/// The name prefixes of one self-supervised wrapper: where its online encoder, its second encoder
/// (the EMA teacher) and its heads live in the state dict, after DDP's <c>module.</c> is removed.
/// </summary>
public sealed record CheckpointLayout(string Name, string? Online, string? Other, IReadOnlyList<(string Prefix, TensorRole Role)> Extras)
{
    private static readonly (string, TensorRole)[] ReferenceExtras =
    {
        ("predictor_new.", TensorRole.AuxHead), ("predictor.", TensorRole.Predictor),
        ("queue", TensorRole.TrainingState), ("proj_conv.", TensorRole.TrainingState),
    };

    /// <summary>
    /// The layouts recognised, tried in order (the first whose online prefix names a tensor wins):
    /// the official code's wrappers (utils/ssl_algorithms/*.py: <c>encoder_q</c> online,
    /// <c>encoder_k</c> teacher; utils/train.py load_ssl_checkpoint also accepts <c>encoder.</c>),
    /// MoCo v3's <c>base_encoder</c>/<c>momentum_encoder</c>, byol-pytorch's
    /// <c>online_encoder.net</c>/<c>target_encoder.net</c>, and <c>backbone</c>/<c>momentum_backbone</c>.
    /// </summary>
    public static readonly IReadOnlyList<CheckpointLayout> Known = new CheckpointLayout[]
    {
        new("the official code's SSL wrapper (encoder_q online, encoder_k teacher)", "encoder_q.", "encoder_k.", ReferenceExtras),
        new("the official code's encoder (encoder.)", "encoder.", null, ReferenceExtras),
        new("MoCo v3 (base_encoder online, momentum_encoder teacher)", "base_encoder.", "momentum_encoder.",
            new[] { ("predictor.", TensorRole.Predictor) }),
        new("byol-pytorch (online_encoder.net online, target_encoder.net teacher)", "online_encoder.net.", "target_encoder.net.",
            new[] { ("online_encoder.projector.", TensorRole.Projector), ("target_encoder.projector.", TensorRole.OtherEncoder), ("online_predictor.", TensorRole.Predictor) }),
        new("backbone and momentum_backbone", "backbone.", "momentum_backbone.",
            new[] { ("projector.", TensorRole.Projector), ("momentum_projector.", TensorRole.OtherEncoder), ("predictor.", TensorRole.Predictor), ("queue", TensorRole.TrainingState) }),
    };

    /// <summary>A bare network's state dict (torchvision, a linear-evaluation checkpoint): every tensor is the backbone's.</summary>
    public static readonly CheckpointLayout Plain = new("a plain state dict", null, null, Array.Empty<(string, TensorRole)>());

    /// <summary>DDP (and DataParallel) prefix every key with <c>module.</c>; the official code strips it the same way.</summary>
    public const string DdpPrefix = "module.";

    public static string StripDdp(string key)
    {
        while (key.StartsWith(DdpPrefix, StringComparison.Ordinal)) key = key[DdpPrefix.Length..];
        return key;
    }

    /// <summary>The layout of a state dict whose keys (DDP prefix already stripped) are <paramref name="keys"/>.</summary>
    public static CheckpointLayout Detect(IReadOnlyCollection<string> keys) =>
        Known.FirstOrDefault(l => keys.Any(k => k.StartsWith(l.Online!, StringComparison.Ordinal))) ?? Plain;

    /// <summary>
    /// The role of <paramref name="key"/> and its name inside its encoder (prefix removed). With
    /// <paramref name="useOther"/> the second encoder is the one loaded and the online one is dropped.
    /// </summary>
    public (TensorRole Role, string Name) Classify(string key, bool useOther)
    {
        var (load, drop) = useOther ? (Other, Online) : (Online, Other);
        if (load is null) return (TensorRole.Backbone, key);
        if (key.StartsWith(load, StringComparison.Ordinal)) return (TensorRole.Backbone, key[load.Length..]);
        if (drop is not null && key.StartsWith(drop, StringComparison.Ordinal)) return (TensorRole.OtherEncoder, key[drop.Length..]);
        foreach (var (prefix, role) in Extras)
            if (key.StartsWith(prefix, StringComparison.Ordinal)) return (role, key[prefix.Length..]);
        return (TensorRole.Unknown, key);
    }
}
