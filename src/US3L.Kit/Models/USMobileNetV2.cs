using US3L.Slimmable;
using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Models;

/// <summary>
/// MobileNetV2's inverted residual with the ratio rule of science.md 1.3: the expansion conv has
/// r_out = t, the depthwise conv r = t on both sides and the projection r_in = t, so the expanded
/// width is always exactly t times the rounded input width. Names follow torchvision
/// (<c>conv.0.0</c> expansion conv, <c>conv.0.1</c> its BN, ..., projection <c>conv.2</c>/<c>conv.3</c>).
/// </summary>
public sealed class USInvertedResidual : Module<Tensor, Tensor>, ICostCounted
{
    private readonly Sequential conv;
    private readonly bool residual;

    internal USInvertedResidual(LayerFactory f, int inp, int outp, int stride, int t)
    {
        var (divisor, g) = (f.Divisor, f.Generator);
        residual = stride == 1 && inp == outp;
        var hidden = inp * t;
        var layers = new List<Module<Tensor, Tensor>>();
        if (t != 1)
            layers.Add(new Sequential(
                new USConv2d(inp, hidden, 1, ratioOut: t, divisor: divisor, generator: g),
                f.Bn(hidden, ratio: t), new ReLU6()));
        layers.Add(new Sequential(
            new USConv2d(hidden, hidden, 3, stride, 1, depthwise: true, ratioIn: t, ratioOut: t, divisor: divisor, generator: g),
            f.Bn(hidden, ratio: t), new ReLU6()));
        layers.Add(new USConv2d(hidden, outp, 1, ratioIn: t, divisor: divisor, generator: g));
        layers.Add(f.Bn(outp));
        conv = register_module("conv", new Sequential(layers.ToArray()));
    }

    public override Tensor forward(Tensor input)
    {
        var y = conv.forward(input);
        return residual ? y.add_(input) : y;
    }

    public void CountCost(CostCounter counter) => counter.Add(conv);
}

/// <summary>
/// US-MobileNetV2 (science.md 1.3-1.4): the standard (t, c, n, s) table; the CIFAR variant uses
/// stride 1 in the stem and in the 24-channel stage. The last 1x1 conv to 1280 channels slims only
/// its input and is followed by an ordinary BatchNorm with running statistics, so F(w) = 1280.
/// Head, when asked for: <c>classifier.1</c> as torchvision (dropout 0.2 first).
/// </summary>
public sealed class USMobileNetV2 : SlimmableNetwork, IStageFeatures
{
    private static readonly (int T, int C, int N, int S)[] Setting =
        { (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1) };

    private const int LastChannels = 1280;
    private readonly Sequential features;
    private readonly USLinear? head;
    private readonly bool cifar;

    internal USMobileNetV2(string arch, bool cifar, ModelOptions options) : base(arch, options)
    {
        this.cifar = cifar;
        var d = options.Divisor;
        using var g = options.Seed is { } seed ? new Generator(seed) : null;
        var f = LayerFactory.For(options, g);
        var layers = new List<Module<Tensor, Tensor>>
        {
            new Sequential(new USConv2d(options.InChannels, 32, 3, cifar ? 1 : 2, 1, slimIn: false, divisor: d, generator: g),
                f.Bn(32), new ReLU6()),
        };
        var inp = 32;
        foreach (var (t, c, n, s) in Setting)
            for (var i = 0; i < n; i++)
            {
                var stride = i > 0 ? 1 : cifar && c == 24 ? 1 : s;
                layers.Add(new USInvertedResidual(f, inp, c, stride, t));
                inp = c;
            }
        layers.Add(new Sequential(new USConv2d(inp, LastChannels, 1, slimOut: false, divisor: d, generator: g),
            new BatchNorm2d(LastChannels), new ReLU6()));
        features = register_module("features", new Sequential(layers.ToArray()));
        if (options.NumClasses is { } classes)
        {
            head = new USLinear(LastChannels, classes, slimIn: false, divisor: d, generator: g);
            register_module("classifier", new Sequential(new Dropout(0.2), head));
        }
        InitWeights(g);
    }

    public override USLinear? Head => head;

    public override int DefaultInputSize => cifar ? 32 : 224;

    public override int FeatureDim(double width) => LastChannels;

    /// <summary>torchvision's MobileNetV2 init: Kaiming-normal fan_out for convs, N(0, 0.01) for the classifier.</summary>
    private void InitWeights(Generator? g)
    {
        foreach (var conv in modules().OfType<USConv2d>())
            init.kaiming_normal_(conv.weight, mode: "fan_out", generator: g);
        if (head is null) return;
        init.normal_(head.weight, 0, 0.01, g);
        init.zeros_(head.bias!);
    }

    public override Tensor forward(Tensor input)
    {
        using var x = features.forward(input);
        return Pool(x);
    }

    protected override void CountBackbone(CostCounter counter) => counter.Add(features);

    /// <summary>
    /// The feature levels a pyramid reads [D]: the outputs of features.3 (24 channels), features.6 (32),
    /// features.13 (96) and the last layer features.18 (1280, not slimmed), the last block of each
    /// resolution as torchvision's MobileNet FPN extractor picks them.
    /// </summary>
    private static readonly int[] StageEnds = { 3, 6, 13, 18 };

    public IReadOnlyList<int> StageStrides => cifar ? new[] { 1, 2, 4, 8 } : new[] { 4, 8, 16, 32 };

    public IReadOnlyList<int> StageChannels(double width) => new[]
    {
        WidthRule.Channels(24, width, 1, Options.Divisor), WidthRule.Channels(32, width, 1, Options.Divisor),
        WidthRule.Channels(96, width, 1, Options.Divisor), LastChannels,
    };

    public Tensor[] ForwardStages(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var outputs = new Tensor[StageEnds.Length];
        var x = input;
        for (int i = 0, s = 0; i < features.Count; i++)
        {
            x = features[i].forward(x);
            if (s < StageEnds.Length && i == StageEnds[s]) outputs[s++] = x;
        }
        scope.MoveToOuter(outputs);
        return outputs;
    }

    public override string extra_repr() => $"arch={Arch}, width={Width}";
}
