using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Slimmable;

/// <summary>
/// The S-Net baseline's switchable BatchNorm (science.md 9 item 6): a fixed list of widths and a
/// private <see cref="BatchNorm2d"/> (own γ/β and running statistics) of C(w_i) channels for
/// each, named <c>bn.0</c>, <c>bn.1</c>, ... as in the slimmable-networks code. Only the listed
/// widths exist; any other is an error.
/// </summary>
public sealed class SwitchableBatchNorm2d : Module<Tensor, Tensor>, ISlimmable
{
    private readonly ModuleList<BatchNorm2d> bn;
    private readonly double[] widths;
    private double width;

    public int NumFeatures { get; }
    public IReadOnlyList<double> Widths => widths;

    public SwitchableBatchNorm2d(int numFeatures, IReadOnlyList<double> widths, int divisor = 8)
    {
        if (widths.Count == 0) throw new ArgumentException("SwitchableBatchNorm2d needs at least one width.");
        NumFeatures = numFeatures;
        this.widths = widths.ToArray();
        bn = register_module("bn", new ModuleList<BatchNorm2d>(this.widths.Select(w => new BatchNorm2d(WidthRule.Channels(numFeatures, w, 1, divisor)))));
        width = this.widths.Max();
    }

    public double Width
    {
        get => width;
        set
        {
            IndexOf(widths, value, nameof(SwitchableBatchNorm2d));
            width = value;
        }
    }

    /// <summary>The private BatchNorm of <paramref name="w"/>.</summary>
    public BatchNorm2d At(double w) => bn[IndexOf(widths, w, nameof(SwitchableBatchNorm2d))];

    public override Tensor forward(Tensor input) => At(width).forward(input);

    internal static int IndexOf(double[] widths, double w, string layer)
    {
        for (var i = 0; i < widths.Length; i++)
            if (Math.Abs(widths[i] - w) <= WidthRule.Tolerance) return i;
        throw new ArgumentOutOfRangeException(null, $"{layer} holds widths [{string.Join(", ", widths)}] only, got width {w}.");
    }

    public override string extra_repr() => $"{NumFeatures}, widths=[{string.Join(", ", widths)}], width={width}";
}

/// <summary>The S-Net baseline's conv: a <see cref="USConv2d"/> restricted to a fixed list of widths.</summary>
public sealed class SlimmableConv2d : USConv2d
{
    private readonly double[] widths;

    public SlimmableConv2d(int inChannels, int outChannels, IntPair kernelSize, IReadOnlyList<double> widths, IntPair? stride = null,
        IntPair? padding = null, bool bias = false, bool slimIn = true, bool slimOut = true, int divisor = 8, Generator? generator = null)
        : base(inChannels, outChannels, kernelSize, stride, padding, bias: bias, slimIn: slimIn, slimOut: slimOut, divisor: divisor,
            generator: generator)
    {
        if (widths.Count == 0) throw new ArgumentException("SlimmableConv2d needs at least one width.");
        this.widths = widths.ToArray();
        Width = this.widths.Max();
    }

    public IReadOnlyList<double> Widths => widths;

    protected override void ValidateWidth(double value)
    {
        // The base constructor sets no width, so the list is always there when this runs.
        SwitchableBatchNorm2d.IndexOf(widths, value, nameof(SlimmableConv2d));
    }
}

/// <summary>The S-Net baseline's linear layer: a <see cref="USLinear"/> restricted to a fixed list of widths.</summary>
public sealed class SlimmableLinear : USLinear
{
    private readonly double[] widths;

    public SlimmableLinear(int inFeatures, int outFeatures, IReadOnlyList<double> widths, bool bias = true, bool slimIn = true,
        bool slimOut = false, int divisor = 8, Generator? generator = null)
        : base(inFeatures, outFeatures, bias, slimIn, slimOut, divisor, generator)
    {
        if (widths.Count == 0) throw new ArgumentException("SlimmableLinear needs at least one width.");
        this.widths = widths.ToArray();
        Width = this.widths.Max();
    }

    public IReadOnlyList<double> Widths => widths;

    protected override void ValidateWidth(double value) => SwitchableBatchNorm2d.IndexOf(widths, value, nameof(SlimmableLinear));
}
