using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Slimmable;

/// <summary>
/// The S-Net / DSPNet switchable BatchNorm (science.md 6.9, 9 item 6): a fixed list of widths and
/// a private <see cref="BatchNorm2d"/> (own γ/β and running statistics) of C(w_i) channels for
/// each. The private BNs are named <c>bn.0</c>, <c>bn.1</c>, ... in descending width order, as the
/// reference's <c>SwitchableBatchNorm2d</c> over its list [1.0, 0.75, 0.5, 0.25] (slimmable_ops.py
/// l. 5-27), so <c>bn.0</c> is always the widest. Only the listed widths exist; any other is an
/// error. C(w) follows the kit's rounding rule (science.md 1.2), so the private BNs match the
/// <see cref="USConv2d"/> they follow.
/// </summary>
public sealed class SwitchableBatchNorm2d : Module<Tensor, Tensor>, ISlimmable
{
    private readonly ModuleList<BatchNorm2d> bn;
    private readonly double[] widths;
    private double width;

    public int NumFeatures { get; }
    public int Ratio { get; }
    public int Divisor { get; }

    /// <summary>The widths, widest first (the order of <c>bn.i</c>).</summary>
    public IReadOnlyList<double> Widths => widths;

    public SwitchableBatchNorm2d(int numFeatures, IReadOnlyList<double> widths, int divisor = 8, int ratio = 1)
    {
        this.widths = CheckedList(widths, nameof(SwitchableBatchNorm2d));
        NumFeatures = numFeatures;
        Ratio = ratio;
        Divisor = divisor;
        USConv2d.CheckFullWidth(numFeatures, ratio, divisor, "BatchNorm");
        bn = register_module("bn", new ModuleList<BatchNorm2d>(this.widths.Select(w => new BatchNorm2d(Channels(w)))));
        width = this.widths[0];
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

    /// <summary>C(w): the channels of the private BatchNorm of <paramref name="w"/>.</summary>
    public int Channels(double w) => WidthRule.Channels(NumFeatures, w, Ratio, Divisor);

    /// <summary>The private BatchNorm of <paramref name="w"/>.</summary>
    public BatchNorm2d At(double w) => bn[IndexOf(widths, w, nameof(SwitchableBatchNorm2d))];

    /// <summary>The private BatchNorms of every width except <paramref name="w"/>: untouched by a pass at <paramref name="w"/>.</summary>
    public IEnumerable<BatchNorm2d> Others(double w)
    {
        var active = At(w);
        return bn.Where(b => !ReferenceEquals(b, active));
    }

    /// <summary>γ and β used at width w (2·C(w) trained parameters).</summary>
    public long ParamCount(double w) => 2L * Channels(w);

    public override Tensor forward(Tensor input)
    {
        var c = Channels(width);
        if (input.dim() != 4 || input.size(1) != c)
            throw new ArgumentException($"SwitchableBatchNorm2d({NumFeatures}) at width {width} expects input [N, {c}, H, W], got {ShapeText.Of(input)}.");
        return At(width).forward(input);
    }

    /// <summary>The widths sorted widest first; an empty list, a width outside (0, 1] or a repeated width is an error.</summary>
    internal static double[] CheckedList(IReadOnlyList<double> widths, string layer)
    {
        ArgumentNullException.ThrowIfNull(widths);
        if (widths.Count == 0) throw new ArgumentException($"{layer} needs at least one width.");
        foreach (var w in widths) WidthRule.CheckWidth(w);
        var sorted = widths.OrderByDescending(w => w).ToArray();
        for (var i = 1; i < sorted.Length; i++)
            if (Math.Abs(sorted[i] - sorted[i - 1]) <= WidthRule.Tolerance)
                throw new ArgumentException($"{layer}: width {sorted[i]} is listed twice in [{string.Join(", ", widths)}].");
        return sorted;
    }

    internal static int IndexOf(double[] widths, double w, string layer)
    {
        for (var i = 0; i < widths.Length; i++)
            if (Math.Abs(widths[i] - w) <= WidthRule.Tolerance) return i;
        // Listed narrowest first, the order a user writes in --widths-list.
        throw new ArgumentOutOfRangeException(null, $"{layer} holds widths [{string.Join(", ", widths.OrderBy(x => x))}] only, got width {w}.");
    }

    public override string extra_repr() =>
        $"{NumFeatures}, widths=[{string.Join(", ", widths)}]" + (Ratio != 1 ? $", ratio={Ratio}" : "") + $", width={width}";
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
        this.widths = SwitchableBatchNorm2d.CheckedList(widths, nameof(SlimmableConv2d));
        Width = this.widths[0];
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
        this.widths = SwitchableBatchNorm2d.CheckedList(widths, nameof(SlimmableLinear));
        Width = this.widths[0];
    }

    public IReadOnlyList<double> Widths => widths;

    protected override void ValidateWidth(double value) => SwitchableBatchNorm2d.IndexOf(widths, value, nameof(SlimmableLinear));
}
