using US3L.Torch;
using US3L.Torch.nn;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Slimmable;

/// <summary>
/// A universally slimmable convolution (science.md 1.3). At width w it convolves with
/// <c>weight[:C_out(w), :C_in(w)]</c> and <c>bias[:C_out(w)]</c>, taken with <c>narrow</c>: a view,
/// so the gradient lands in the used prefix only and the rest of the weight gets zeros. A
/// depthwise conv has groups = C_in(w) = C_out(w). The parameters are those of a full-width
/// <see cref="Conv2d"/> (same names, same default initialisation), so checkpoints stay torchvision-shaped.
/// </summary>
public class USConv2d : Conv2d, ISlimmable
{
    private double width = 1.0;

    public bool SlimIn { get; }
    public bool SlimOut { get; }
    public int RatioIn { get; }
    public int RatioOut { get; }
    public bool Depthwise { get; }
    public int Divisor { get; }

    /// <summary>Called after every forward pass with (layer, input, output): for cost counters and feature hooks.</summary>
    public event Action<USConv2d, Tensor, Tensor>? Forwarded;

    public USConv2d(int inChannels, int outChannels, IntPair kernelSize, IntPair? stride = null, IntPair? padding = null,
        bool depthwise = false, bool bias = false, bool slimIn = true, bool slimOut = true, int ratioIn = 1, int ratioOut = 1,
        int divisor = 8, Generator? generator = null)
        : base(inChannels, outChannels, kernelSize, stride, padding, groups: depthwise ? CheckDepthwise(inChannels, outChannels) : 1,
            bias: bias, generator: generator)
    {
        SlimIn = slimIn;
        SlimOut = slimOut;
        RatioIn = ratioIn;
        RatioOut = ratioOut;
        Depthwise = depthwise;
        Divisor = divisor;
        if (depthwise && (slimIn != slimOut || ratioIn != ratioOut))
            throw new ArgumentException("A depthwise USConv2d slims its input and output together: give equal slim flags and ratios.");
        if (slimIn) CheckFullWidth(inChannels, ratioIn, divisor, "input");
        if (slimOut) CheckFullWidth(outChannels, ratioOut, divisor, "output");
    }

    private static long CheckDepthwise(int inChannels, int outChannels) =>
        inChannels == outChannels ? inChannels
            : throw new ArgumentException($"A depthwise USConv2d needs equal input and output channels, got {inChannels} and {outChannels}.");

    /// <summary>At width 1.0 the rule must give back the full count, or the full weights would never all be used.</summary>
    internal static void CheckFullWidth(long channels, int ratio, int divisor, string side)
    {
        var full = WidthRule.Channels((int)channels, 1.0, ratio, divisor);
        if (full != channels)
            throw new ArgumentException(
                $"{channels} {side} channels (ratio {ratio}) are not kept at width 1.0 by the divisor-{divisor} rounding rule (it gives {full}); use a multiple of {divisor * ratio}.");
    }

    public double Width
    {
        get => width;
        set
        {
            WidthRule.CheckWidth(value);
            ValidateWidth(value);
            width = value;
        }
    }

    /// <summary>Fixed-list subclasses (S-Net) refuse widths they do not hold.</summary>
    protected virtual void ValidateWidth(double value) { }

    /// <summary>Input channels used at <paramref name="w"/>.</summary>
    public int InChannels(double w) => SlimIn ? WidthRule.Channels((int)in_channels, w, RatioIn, Divisor) : (int)in_channels;

    /// <summary>Output channels produced at <paramref name="w"/>.</summary>
    public int OutChannels(double w) => SlimOut ? WidthRule.Channels((int)out_channels, w, RatioOut, Divisor) : (int)out_channels;

    /// <summary>The weight used at <paramref name="w"/>: a view of the full weight.</summary>
    public Tensor WeightAt(double w)
    {
        var cout = OutChannels(w);
        return Depthwise ? weight.narrow(0, 0, cout) : weight.narrow(0, 0, cout).narrow(1, 0, InChannels(w));
    }

    public Tensor? BiasAt(double w) => bias?.narrow(0, 0, OutChannels(w));

    /// <summary>Groups at <paramref name="w"/>: C_in(w) for a depthwise conv, else 1.</summary>
    public long GroupsAt(double w) => Depthwise ? InChannels(w) : 1;

    public override Tensor forward(Tensor input)
    {
        var cin = InChannels(width);
        if (input.dim() != 4 || input.size(1) != cin)
            throw new ArgumentException(
                $"USConv2d({in_channels}, {out_channels}) at width {width} expects input [N, {cin}, H, W], got {ShapeText.Of(input)}.");
        using var w = WeightAt(width);
        using var b = BiasAt(width);
        var output = F.conv2d(input, w, b, stride, padding, dilation, GroupsAt(width));
        Forwarded?.Invoke(this, input, output);
        return output;
    }

    /// <summary>Output spatial size for an input of <paramref name="h"/> x <paramref name="w"/>.</summary>
    public (long H, long W) OutputSize(long h, long w) =>
        ((h + 2 * padding.H - dilation.H * (kernel_size.H - 1) - 1) / stride.H + 1,
         (w + 2 * padding.W - dilation.W * (kernel_size.W - 1) - 1) / stride.W + 1);

    /// <summary>Parameters used at width <paramref name="w"/> (weight slice plus bias slice).</summary>
    public long ParamCount(double w)
    {
        var cout = OutChannels(w);
        var perOut = (Depthwise ? 1 : InChannels(w)) * kernel_size.H * kernel_size.W;
        return cout * perOut + (bias is null ? 0 : cout);
    }

    /// <summary>Multiply-accumulates of one image at width <paramref name="w"/> for an output of oh x ow.</summary>
    public long Macs(double w, long oh, long ow)
    {
        var perOut = (Depthwise ? 1 : InChannels(w)) * kernel_size.H * kernel_size.W;
        return OutChannels(w) * perOut * oh * ow;
    }

    public override string extra_repr() =>
        base.extra_repr() + $", slim=({SlimIn}, {SlimOut})" + (RatioIn != 1 || RatioOut != 1 ? $", ratio=({RatioIn}, {RatioOut})" : "") +
        (Depthwise ? ", depthwise" : "") + $", width={width}";
}
