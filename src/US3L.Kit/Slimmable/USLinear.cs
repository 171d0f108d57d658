using US3L.Torch;
using US3L.Torch.nn;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Slimmable;

/// <summary>
/// A universally slimmable linear layer (science.md 1.3): <c>weight[:out(w), :in(w)]</c> as a view.
/// The projector's first layer (and a classifier <c>fc</c>) slims only its input: it reads the
/// first F(w) pooled features and keeps its full output size. The ViT variant
/// (<see cref="SliceInput"/>, science.md 1.3) takes a full-width input and reads its first
/// in(w) features itself, as the reference's <c>input[:, :, :in_features]</c>.
/// </summary>
public class USLinear : Linear, ISlimmable
{
    private double width = 1.0;

    public bool SlimIn { get; }
    public bool SlimOut { get; }
    public int Divisor { get; }

    /// <summary>
    /// The input always has all <c>in_features</c> features and the layer narrows its last axis to
    /// in(w) (the ViT's linears); otherwise the input must already have in(w) features.
    /// </summary>
    public bool SliceInput { get; }

    /// <summary>Called after every forward pass with (layer, input it multiplied, output).</summary>
    public event Action<USLinear, Tensor, Tensor>? Forwarded;

    public USLinear(int inFeatures, int outFeatures, bool bias = true, bool slimIn = true, bool slimOut = false, int divisor = 8,
        Generator? generator = null, bool sliceInput = false)
        : base(inFeatures, outFeatures, bias, generator)
    {
        SlimIn = slimIn;
        SlimOut = slimOut;
        Divisor = divisor;
        SliceInput = sliceInput;
        if (slimIn) USConv2d.CheckFullWidth(inFeatures, 1, divisor, "input");
        if (slimOut) USConv2d.CheckFullWidth(outFeatures, 1, divisor, "output");
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

    protected virtual void ValidateWidth(double value) { }

    public int InFeatures(double w) => SlimIn ? WidthRule.Channels((int)in_features, w, 1, Divisor) : (int)in_features;

    public int OutFeatures(double w) => SlimOut ? WidthRule.Channels((int)out_features, w, 1, Divisor) : (int)out_features;

    public Tensor WeightAt(double w) => weight.narrow(0, 0, OutFeatures(w)).narrow(1, 0, InFeatures(w));

    public Tensor? BiasAt(double w) => bias?.narrow(0, 0, OutFeatures(w));

    public override Tensor forward(Tensor input)
    {
        var fin = InFeatures(width);
        var expected = SliceInput ? in_features : fin;
        if (input.dim() == 0 || input.size(-1) != expected)
            throw new ArgumentException(
                $"USLinear({in_features}, {out_features}) at width {width} expects input [*, {expected}], got {ShapeText.Of(input)}.");
        var x = SliceInput ? input.narrow(-1, 0, fin) : input;
        try
        {
            using var w = WeightAt(width);
            using var b = BiasAt(width);
            var output = F.linear(x, w, b);
            Forwarded?.Invoke(this, x, output);
            return output;
        }
        finally
        {
            if (!ReferenceEquals(x, input)) x.Dispose();
        }
    }

    public long ParamCount(double w) => (long)OutFeatures(w) * InFeatures(w) + (bias is null ? 0 : OutFeatures(w));

    /// <summary>Multiply-accumulates for one input row.</summary>
    public long Macs(double w) => (long)OutFeatures(w) * InFeatures(w);

    public override string extra_repr() => base.extra_repr() + $", slim=({SlimIn}, {SlimOut}), width={width}";
}
