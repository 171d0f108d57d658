using US3L.Slimmable;
using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Models;

/// <summary>
/// Layer factory shared by the blocks: bias-free slimmable convs, and batch-statistics US-BNs or,
/// for an S-Net (<paramref name="SwitchableWidths"/> set, science.md 6.9), switchable BNs with a
/// private BatchNorm per listed width.
/// </summary>
internal sealed record LayerFactory(int Divisor, Generator? Generator, IReadOnlyList<double>? SwitchableWidths = null)
{
    /// <summary>The factory of <paramref name="options"/>: switchable BNs over its width list when it asks for them.</summary>
    public static LayerFactory For(ModelOptions options, Generator? generator) =>
        new(options.Divisor, generator, options.SwitchableBn ? options.WidthsList : null);

    public USConv2d Conv(int cin, int cout, int kernel, int stride, bool slimIn = true) =>
        new(cin, cout, kernel, stride, kernel / 2, slimIn: slimIn, divisor: Divisor, generator: Generator);

    public Module<Tensor, Tensor> Bn(int channels, int ratio = 1) => SwitchableWidths is { } widths
        ? new SwitchableBatchNorm2d(channels, widths, Divisor, ratio)
        : new USBatchNorm2d(channels, ratio: ratio, divisor: Divisor);

    /// <summary>Zeroes the γ of a BN from <see cref="Bn"/> (every private BN of a switchable one).</summary>
    public static void ZeroGamma(Module bn)
    {
        foreach (var norm in bn.modules().OfType<BatchNormBase>()) init.zeros_(norm.weight!);
    }

    /// <summary>
    /// The shortcut of science.md 1.3: identity when full-width in/out counts match and stride is 1,
    /// otherwise a 1x1 US-conv plus US-BN named downsample.0 / downsample.1 (torchvision).
    /// </summary>
    public Sequential? Downsample(int cin, int cout, int stride) =>
        stride == 1 && cin == cout ? null : new Sequential(Conv(cin, cout, 1, stride), Bn(cout));
}

/// <summary>torchvision's BasicBlock with slimmable layers: two 3x3 convs and a shortcut.</summary>
public sealed class USBasicBlock : Module<Tensor, Tensor>, ICostCounted
{
    public const int Expansion = 1;
    private readonly USConv2d conv1, conv2;
    private readonly Module<Tensor, Tensor> bn1, bn2;
    private readonly Sequential? downsample;

    internal USBasicBlock(LayerFactory f, int inplanes, int planes, int stride)
    {
        conv1 = register_module("conv1", f.Conv(inplanes, planes, 3, stride));
        bn1 = register_module("bn1", f.Bn(planes));
        conv2 = register_module("conv2", f.Conv(planes, planes, 3, 1));
        bn2 = register_module("bn2", f.Bn(planes));
        downsample = f.Downsample(inplanes, planes, stride);
        if (downsample is not null) register_module("downsample", downsample);
    }

    /// <summary>The BN before the residual sum (zero-initialised γ makes the block start as identity).</summary>
    public Module<Tensor, Tensor> LastBn => bn2;

    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var h = bn1.forward(conv1.forward(input)).relu_();
        h = bn2.forward(conv2.forward(h));
        var shortcut = downsample?.forward(input) ?? input;
        return scope.MoveToOuter(h.add_(shortcut).relu_());
    }

    public void CountCost(CostCounter c)
    {
        var (h, w) = (c.H, c.W);
        c.Add(conv1); c.Add(bn1); c.Add(conv2); c.Add(bn2);
        if (downsample is null) return;
        var (oh, ow) = (c.H, c.W);
        (c.H, c.W) = (h, w);
        c.Add(downsample);
        (c.H, c.W) = (oh, ow);
    }
}

/// <summary>torchvision's Bottleneck (v1.5: the stride sits on the 3x3 conv) with slimmable layers.</summary>
public sealed class USBottleneck : Module<Tensor, Tensor>, ICostCounted
{
    public const int Expansion = 4;
    private readonly USConv2d conv1, conv2, conv3;
    private readonly Module<Tensor, Tensor> bn1, bn2, bn3;
    private readonly Sequential? downsample;

    internal USBottleneck(LayerFactory f, int inplanes, int planes, int stride)
    {
        conv1 = register_module("conv1", f.Conv(inplanes, planes, 1, 1));
        bn1 = register_module("bn1", f.Bn(planes));
        conv2 = register_module("conv2", f.Conv(planes, planes, 3, stride));
        bn2 = register_module("bn2", f.Bn(planes));
        conv3 = register_module("conv3", f.Conv(planes, planes * Expansion, 1, 1));
        bn3 = register_module("bn3", f.Bn(planes * Expansion));
        downsample = f.Downsample(inplanes, planes * Expansion, stride);
        if (downsample is not null) register_module("downsample", downsample);
    }

    public Module<Tensor, Tensor> LastBn => bn3;

    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var h = bn1.forward(conv1.forward(input)).relu_();
        h = bn2.forward(conv2.forward(h)).relu_();
        h = bn3.forward(conv3.forward(h));
        var shortcut = downsample?.forward(input) ?? input;
        return scope.MoveToOuter(h.add_(shortcut).relu_());
    }

    public void CountCost(CostCounter c)
    {
        var (h, w) = (c.H, c.W);
        c.Add(conv1); c.Add(bn1); c.Add(conv2); c.Add(bn2); c.Add(conv3); c.Add(bn3);
        if (downsample is null) return;
        var (oh, ow) = (c.H, c.W);
        (c.H, c.W) = (h, w);
        c.Add(downsample);
        (c.H, c.W) = (oh, ow);
    }
}
