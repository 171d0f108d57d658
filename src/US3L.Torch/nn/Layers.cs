using F = US3L.Torch.torch.nn.functional;

namespace US3L.Torch.nn;

// Parameter-free layers: activations, dropout and pooling, each a thin module over functional.

public sealed class ReLU6 : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor input) => F.relu6(input);
}

public sealed class GELU : Module<Tensor, Tensor>
{
    private readonly string approximate;
    public GELU(string approximate = "none") => this.approximate = approximate;
    public override Tensor forward(Tensor input) => F.gelu(input, approximate);
}

public sealed class SiLU : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor input) => F.silu(input);
}

public sealed class Sigmoid : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor input) => input.sigmoid();
}

public sealed class Tanh : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor input) => input.tanh();
}

public sealed class Hardswish : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor input) => F.hardswish(input);
}

/// <summary>Zeroes elements with probability p in training mode and scales the rest by 1/(1-p).</summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    public double p { get; }

    public Dropout(double p = 0.5)
    {
        if (p is < 0 or > 1) throw new ArgumentException($"Dropout probability must be in [0, 1], got {p}.");
        this.p = p;
    }

    public override Tensor forward(Tensor input) => F.dropout(input, p, training);
    public override string extra_repr() => $"p={p}";
}

public sealed class AdaptiveAvgPool2d : Module<Tensor, Tensor>
{
    private readonly IntPair outputSize;
    public AdaptiveAvgPool2d(IntPair output_size) => outputSize = output_size;
    public override Tensor forward(Tensor input) => F.adaptive_avg_pool2d(input, outputSize);
    public override string extra_repr() => $"output_size={outputSize}";
}

public sealed class MaxPool2d : Module<Tensor, Tensor>
{
    private readonly IntPair kernel;
    private readonly IntPair? stride;
    private readonly IntPair? padding;

    public MaxPool2d(IntPair kernel_size, IntPair? stride = null, IntPair? padding = null)
    {
        kernel = kernel_size;
        this.stride = stride;
        this.padding = padding;
    }

    public override Tensor forward(Tensor input) => F.max_pool2d(input, kernel, stride, padding);
    public override string extra_repr() => $"kernel_size={kernel}, stride={stride ?? kernel}, padding={padding ?? (IntPair)0}";
}

public sealed class AvgPool2d : Module<Tensor, Tensor>
{
    private readonly IntPair kernel;
    private readonly IntPair? stride;

    public AvgPool2d(IntPair kernel_size, IntPair? stride = null)
    {
        kernel = kernel_size;
        this.stride = stride;
    }

    public override Tensor forward(Tensor input) => F.avg_pool2d(input, kernel, stride);
    public override string extra_repr() => $"kernel_size={kernel}, stride={stride ?? kernel}";
}
