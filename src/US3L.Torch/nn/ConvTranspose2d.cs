using F = US3L.Torch.torch.nn.functional;

namespace US3L.Torch.nn;

/// <summary>
/// 2-D transposed convolution (Mask R-CNN's mask upsampler <c>conv5_mask</c>) with PyTorch's
/// default initialisation: Kaiming-uniform (a = √5) on the weight [C_in, C_out / groups, kH, kW],
/// whose fan-in PyTorch reads from dim 1, and a bias uniform in ±1/√fan_in.
/// </summary>
public class ConvTranspose2d : Module<Tensor, Tensor>
{
    public Tensor weight { get; }
    public Tensor? bias { get; }
    public long in_channels { get; }
    public long out_channels { get; }
    public IntPair kernel_size { get; }
    public IntPair stride { get; }
    public IntPair padding { get; }
    public IntPair output_padding { get; }
    public long groups { get; }

    public ConvTranspose2d(long in_channels, long out_channels, IntPair kernel_size, IntPair? stride = null, IntPair? padding = null,
        IntPair? output_padding = null, long groups = 1, bool bias = true, Generator? generator = null)
    {
        if (in_channels < 1 || out_channels < 1)
            throw new ArgumentException($"ConvTranspose2d needs positive channel counts, got in={in_channels}, out={out_channels}.");
        if (groups < 1 || in_channels % groups != 0 || out_channels % groups != 0)
            throw new ArgumentException($"ConvTranspose2d: groups={groups} must divide in_channels={in_channels} and out_channels={out_channels}.");
        this.in_channels = in_channels;
        this.out_channels = out_channels;
        this.kernel_size = kernel_size;
        this.stride = stride ?? (IntPair)1;
        this.padding = padding ?? (IntPair)0;
        this.output_padding = output_padding ?? (IntPair)0;
        this.groups = groups;
        weight = register_parameter("weight", torch.empty(in_channels, out_channels / groups, kernel_size.H, kernel_size.W));
        init.kaiming_uniform_(weight, a: Math.Sqrt(5), generator: generator);
        this.bias = register_optional_parameter("bias", bias ? torch.empty(out_channels) : null);
        if (this.bias is not null)
        {
            var bound = 1 / Math.Sqrt(init.calculate_fan_in_and_fan_out(weight).fanIn);
            init.uniform_(this.bias, -bound, bound, generator);
        }
    }

    public override Tensor forward(Tensor input) => F.conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups);

    public override string extra_repr() =>
        $"{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}, padding={padding}" +
        (groups != 1 ? $", groups={groups}" : "") + (bias is null ? ", bias=False" : "");
}
