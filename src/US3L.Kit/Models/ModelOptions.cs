using US3L.Slimmable;

namespace US3L.Models;

/// <summary>How <see cref="ModelRegistry"/> builds a network. Defaults follow science.md 1.3-1.4.</summary>
public sealed record ModelOptions
{
    /// <summary>Image channels: 3 for RGB, 1 for Fashion-MNIST (science.md 8.1).</summary>
    public int InChannels { get; init; } = 3;

    /// <summary>Classes of the optional head <c>fc</c>; null builds the bare backbone (SSL pre-training).</summary>
    public int? NumClasses { get; init; }

    /// <summary>Widths the network is trained for (science.md 1.1: WIDTH_MULT_RANGE = [0.25, 1.0]).</summary>
    public WidthRange TrainedRange { get; init; } = WidthRange.Default;

    /// <summary>Channel rounding divisor (science.md 1.2: 8; the CPU mini model may use 4, science.md 8.1).</summary>
    public int Divisor { get; init; } = 8;

    /// <summary>ResNet stage base widths; null keeps the architecture's own (64, 128, 256, 512).</summary>
    public IReadOnlyList<int>? StageWidths { get; init; }

    /// <summary>Zero-init of each residual block's last BN γ (ImageNet layout, only where the SSL wrapper asks for it).</summary>
    public bool ZeroInitResidual { get; init; }

    /// <summary>
    /// Input side the network is built for; only the ViTs need it (their position embedding has one
    /// entry per patch). Null keeps the architecture's default (224; 28 or 32 for <c>us_vit_mini</c>).
    /// </summary>
    public int? ImageSize { get; init; }

    /// <summary>
    /// ViTs: the patch projection is frozen at its initial values (MoCo v3's <c>--stop-grad-conv1</c>,
    /// which the reference US-ViT run passes; science.md 1.4).
    /// </summary>
    public bool FreezePatchProjection { get; init; } = true;

    /// <summary>
    /// A fixed list of widths (S-Net, DSPNet; science.md 6.9): the network runs at these widths only
    /// and refuses any other, and its trained range becomes [min, max] of the list. Null keeps the
    /// network universally slimmable (any width of <see cref="TrainedRange"/>).
    /// </summary>
    public IReadOnlyList<double>? WidthsList { get; init; }

    /// <summary>
    /// Private BatchNorm per width of <see cref="WidthsList"/> (<see cref="SwitchableBatchNorm2d"/>,
    /// state_dict names <c>bn.i</c>, widest first) in place of the shared US-BatchNorm; needs
    /// <see cref="WidthsList"/> and a network with BatchNorm.
    /// </summary>
    public bool SwitchableBn { get; init; }

    /// <summary>Seed of the weight initialisation; null uses the global generator.</summary>
    public long? Seed { get; init; }
}
