using US3L.Slimmable;
using US3L.Torch;
using US3L.Torch.nn;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Models;

/// <summary>Where a ResNet's stem and pooling come from (science.md 1.4).</summary>
public enum ResNetLayout
{
    /// <summary>3x3 stride-1 stem, no max-pool, PyTorch default init (CIFAR, Fashion-MNIST).</summary>
    Cifar,
    /// <summary>7x7 stride-2 stem plus 3x3 max-pool, Kaiming-normal fan_out init (torchvision).</summary>
    ImageNet,
}

/// <summary>
/// A universally slimmable ResNet with torchvision's module names (<c>conv1</c>, <c>bn1</c>,
/// <c>layer1.0.conv1</c>, <c>downsample.0</c>, <c>fc</c>). The stem slims only its output; every
/// later layer slims both sides; <c>forward</c> returns the globally pooled features [B, F(w)].
/// </summary>
public sealed class USResNet : SlimmableNetwork, IStageFeatures
{
    private readonly USConv2d conv1;
    private readonly Module<Tensor, Tensor> bn1;
    private readonly Sequential[] stages;
    private readonly USLinear? fc;
    private readonly int featureChannels;
    private readonly bool bottleneck;

    public ResNetLayout Layout { get; }

    internal USResNet(string arch, ResNetLayout layout, bool bottleneck, IReadOnlyList<int> blocks, ModelOptions options)
        : base(arch, options)
    {
        Layout = layout;
        this.bottleneck = bottleneck;
        var widths = options.StageWidths ?? new[] { 64, 128, 256, 512 };
        if (widths.Count != 4 || blocks.Count != 4)
            throw new ArgumentException($"A ResNet has 4 stages; got {widths.Count} stage widths and {blocks.Count} block counts.");
        if (options.InChannels < 1) throw new ArgumentException($"InChannels must be positive, got {options.InChannels}.");
        using var generator = options.Seed is { } seed ? new Generator(seed) : null;
        var f = LayerFactory.For(options, generator);
        var expansion = bottleneck ? USBottleneck.Expansion : USBasicBlock.Expansion;

        conv1 = register_module("conv1", layout == ResNetLayout.Cifar
            ? f.Conv(options.InChannels, widths[0], 3, 1, slimIn: false)
            : f.Conv(options.InChannels, widths[0], 7, 2, slimIn: false));
        bn1 = register_module("bn1", f.Bn(widths[0]));
        stages = new Sequential[4];
        var inplanes = widths[0];
        for (var s = 0; s < 4; s++)
        {
            var stage = new Sequential();
            for (var b = 0; b < blocks[s]; b++)
            {
                var stride = b == 0 && s > 0 ? 2 : 1;
                stage.append(bottleneck
                    ? new USBottleneck(f, inplanes, widths[s], stride)
                    : new USBasicBlock(f, inplanes, widths[s], stride));
                inplanes = widths[s] * expansion;
            }
            stages[s] = register_module($"layer{s + 1}", stage);
        }
        featureChannels = inplanes;
        if (options.NumClasses is { } classes)
            fc = register_module("fc", new USLinear(featureChannels, classes, slimIn: true, divisor: options.Divisor, generator: generator));
        if (layout == ResNetLayout.ImageNet) KaimingInit(generator);
        if (options.ZeroInitResidual) ZeroInitLastBn();
    }

    public override USLinear? Head => fc;

    public override int DefaultInputSize => Layout == ResNetLayout.ImageNet ? 224 : Options.InChannels == 1 ? 28 : 32;

    public override int FeatureDim(double width) => WidthRule.Channels(featureChannels, width, 1, Options.Divisor);

    /// <summary>torchvision's init: Kaiming-normal (fan_out, relu) for convs; BN γ = 1, β = 0 (already so).</summary>
    private void KaimingInit(Generator? generator)
    {
        foreach (var conv in modules().OfType<USConv2d>())
            init.kaiming_normal_(conv.weight, mode: "fan_out", nonlinearity: "relu", generator: generator);
    }

    private void ZeroInitLastBn()
    {
        foreach (var m in modules())
        {
            var last = m switch { USBasicBlock b => b.LastBn, USBottleneck b => b.LastBn, _ => null };
            if (last is not null) LayerFactory.ZeroGamma(last);
        }
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var x = Stem(input);
        foreach (var stage in stages) x = stage.forward(x);
        return scope.MoveToOuter(Pool(x));
    }

    private Tensor Stem(Tensor input)
    {
        var x = bn1.forward(conv1.forward(input)).relu_();
        return Layout == ResNetLayout.ImageNet ? F.max_pool2d(x, 3, 2, 1) : x;
    }

    /// <summary>Outputs of layer1..layer4: strides 4-32 (ImageNet layout) or 1-8 (CIFAR layout, no stem stride).</summary>
    public IReadOnlyList<int> StageStrides => Layout == ResNetLayout.ImageNet ? new[] { 4, 8, 16, 32 } : new[] { 1, 2, 4, 8 };

    public IReadOnlyList<int> StageChannels(double width)
    {
        var widths = Options.StageWidths ?? new[] { 64, 128, 256, 512 };
        var expansion = bottleneck ? USBottleneck.Expansion : USBasicBlock.Expansion;
        return widths.Select(c => WidthRule.Channels(c * expansion, width, 1, Options.Divisor)).ToArray();
    }

    public Tensor[] ForwardStages(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var outputs = new Tensor[stages.Length];
        var x = Stem(input);
        for (var s = 0; s < stages.Length; s++) x = outputs[s] = stages[s].forward(x);
        scope.MoveToOuter(outputs);
        return outputs;
    }

    protected override void CountBackbone(CostCounter c)
    {
        c.Add(conv1);
        c.Add(bn1);
        if (Layout == ResNetLayout.ImageNet) c.Resize(3, 2, 1);
        foreach (var stage in stages) c.Add(stage);
    }

    public override string extra_repr() => $"arch={Arch}, blocks={(bottleneck ? "bottleneck" : "basic")}, width={Width}";
}
