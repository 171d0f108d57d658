using US3L.Slimmable;
using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Models;

/// <summary>
/// A universally slimmable backbone: <c>forward(x)</c> gives the pooled features [B, F(w)] at the
/// current width (set with <see cref="SlimmableExtensions.SetWidth{T}"/>). The optional
/// classification head (<see cref="Head"/>, torchvision's <c>fc</c>) is not part of the backbone;
/// <see cref="Logits"/> runs it. Widths outside <see cref="TrainedRange"/> are refused.
/// </summary>
public abstract class SlimmableNetwork : Module<Tensor, Tensor>
{
    protected SlimmableNetwork(string arch, ModelOptions options)
    {
        Arch = arch;
        Options = options;
        if (options.SwitchableBn && options.WidthsList is null)
            throw new ArgumentException($"{arch}: switchable BatchNorm keeps one private BN per width of a fixed list; give the list (ModelOptions.WidthsList).");
        WidthsList = options.WidthsList is { } list ? SwitchableBatchNorm2d.CheckedList(list, arch) : null;
        TrainedRange = WidthsList is { } fixedWidths ? new WidthRange(fixedWidths[^1], fixedWidths[0]) : options.TrainedRange;
        if (!(TrainedRange.Min > 0) || TrainedRange.Max > 1 || TrainedRange.Min > TrainedRange.Max)
            throw new ArgumentException($"The trained width range must satisfy 0 < min <= max <= 1, got {TrainedRange}.");
    }

    /// <summary>The registry name (e.g. us_cifar_resnet18).</summary>
    public string Arch { get; }

    public ModelOptions Options { get; }

    public WidthRange TrainedRange { get; }

    /// <summary>The fixed widths of an S-Net (widest first), or null for a universally slimmable network.</summary>
    public IReadOnlyList<double>? WidthsList { get; }

    /// <summary>Whether the network runs at <paramref name="width"/>: inside the trained range and, for an S-Net, one of its widths.</summary>
    public bool Supports(double width) =>
        TrainedRange.Contains(width) && (WidthsList is null || WidthsList.Any(w => Math.Abs(w - width) <= WidthRule.Tolerance));

    /// <summary>Throws unless the network runs at <paramref name="width"/> (see <see cref="Supports"/>), naming the widths it has.</summary>
    public void CheckWidth(double width)
    {
        TrainedRange.Check(width);
        if (!Supports(width))
            throw new ArgumentOutOfRangeException(null,
                $"{Arch} is a slimmable network with the fixed widths [{string.Join(", ", WidthsList!.Select(w => w.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]" +
                $"{(Options.SwitchableBn ? " (a private BN each)" : "")}; width {width.ToString(System.Globalization.CultureInfo.InvariantCulture)} is not one of them. " +
                "Only a universally slimmable network (no fixed width list) runs at widths in between.");
    }

    /// <summary>The width last set on the whole network.</summary>
    public double Width { get; private set; } = 1.0;

    internal void RecordWidth(double width) => Width = width;

    /// <summary>The classification head (reads the first F(w) features), or null for a bare backbone.</summary>
    public abstract USLinear? Head { get; }

    /// <summary>F(w): the length of the feature vector at width <paramref name="width"/>.</summary>
    public abstract int FeatureDim(double width);

    /// <summary>The input side the architecture is built for (32 CIFAR, 224 ImageNet, 28 Fashion-MNIST).</summary>
    public abstract int DefaultInputSize { get; }

    /// <summary>Class logits: the head applied to the features at the current width.</summary>
    public Tensor Logits(Tensor input)
    {
        if (Head is null)
            throw new InvalidOperationException($"{Arch} was built without a classification head; create it with ModelOptions.NumClasses.");
        using var features = forward(input);
        return Head.forward(features);
    }

    /// <summary>Analytic parameters and MACs of the backbone (no head) at one width, for one image.</summary>
    public ModelCost Cost(double width, int? inputSize = null)
    {
        CheckWidth(width);
        var side = inputSize ?? DefaultInputSize;
        if (side < 1) throw new ArgumentException($"The input size must be positive, got {side}.");
        var counter = new CostCounter(width, side, side);
        CountBackbone(counter);
        return new ModelCost(width, counter.Params, counter.Macs, FeatureDim(width));
    }

    /// <summary>Walks the backbone in forward order, adding each layer's cost.</summary>
    protected abstract void CountBackbone(CostCounter counter);

    /// <summary>Global average pooling to [B, C].</summary>
    protected static Tensor Pool(Tensor x)
    {
        using var pooled = torch.nn.functional.adaptive_avg_pool2d(x, 1);
        return pooled.flatten(1);
    }
}

/// <summary>Cost of a backbone at one width: trained parameters used, MACs per image, feature size.</summary>
public sealed record ModelCost(double Width, long Params, long Macs, int FeatureDim);
