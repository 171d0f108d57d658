using US3L.Training;

namespace US3L.Tests.Training;

/// <summary>
/// The designs of science.md 3.3 (and the baselines of 6.2) as test settings, each a change of a
/// few fields of a base config, so a test flips one setting:
/// <code>var config = Designs.Get("us3l-byol-m0", Designs.CpuBase) with { Epochs = 3 };</code>
/// The kit's own catalogue is its YAML recipes (src/US3L.Kit/Recipes); users reach these designs
/// with <c>--set</c> on a recipe.
/// </summary>
internal static class Designs
{
    /// <summary>
    /// The CPU setting of science.md 8.1: Fashion-MNIST (10k subset), US-ResNet-10-mini with divisor 4,
    /// heads 256/128, batch 256, SGD lr 0.05, EMA m = 0.98 (runs under 20 epochs), US3L-BYOL with
    /// sandwich sampling of 3 widths in [0.25, 1.0].
    /// </summary>
    public static PretrainConfig CpuBase { get; } = new()
    {
        Dataset = "fashion-mnist", TrainSubset = 10_000, Augmentation = "fashion-mnist",
        Arch = "us_resnet10_mini", Divisor = 4, ProjectorHidden = 256, ProjectorOut = 128, PredictorHidden = 256,
        Epochs = 10, BatchSize = 256, Lr = 0.05, EmaMomentum = 0.98, Sampler = SamplerKind.Sandwich,
        KnnSubset = 2000, Seed = 100,
    };

    private static readonly (string Name, string Row, Func<PretrainConfig, PretrainConfig> Apply)[] Table =
    {
        ("naive-us-simsiam", "3.3 row 1 / 2.1: SimSiam, sub-networks distilled onto the online max output through the shared predictor (collapses)",
            c => c with { BaseLoss = BaseLoss.SimSiam, TargetSource = TargetSource.OnlineMax, DistillHead = DistillHead.Shared, Distill = true }),
        ("per-width-simsiam", "3.3 row 2: SimSiam per width, no distillation",
            c => c with { BaseLoss = BaseLoss.SimSiam, Distill = false, DistillHead = DistillHead.Shared }),
        ("us3l-byol-m0", "3.3 row 3: BYOL with EMA momentum 0 (teacher = online copy)",
            c => Us3lByol(c) with { EmaMomentum = 0, DistillHead = DistillHead.Shared }),
        ("us3l-ema-every-width", "3.3 row 4: BYOL, EMA updated after every width step, shared predictor (MOMENTUM_UPDATE = true)",
            c => Us3lByol(c) with { EmaUpdate = EmaUpdate.EveryWidth, DistillHead = DistillHead.Shared }),
        ("per-width-byol", "3.3 row 5: BYOL per width against the teacher at the same width, EMA every step",
            c => Us3lByol(c) with { Distill = false, EmaUpdate = EmaUpdate.EveryWidth, DistillHead = DistillHead.Shared }),
        ("us3l-ntxent-distill", "3.3 row 6: momentum-SimCLR with NT-Xent distillation including student negatives",
            c => Us3lSimClr(c) with { DistillLoss = DistillLoss.NtXentStudentNegatives }),
        ("us3l-mocov3", "3.3 row 7: MoCo v3 base loss, distillation through a separate head (τ = 0.2)",
            c => c with { BaseLoss = BaseLoss.MocoV3, Temperature = 0.2, DistillHead = DistillHead.Separate }),
        ("us3l-byol", "3.3 row 8: US3L \"base MSE\" (BYOL + neg-cos distillation via a separate head, EMA once per iteration)", Us3lByol),
        ("us3l-simclr", "3.3 row 9: US3L \"base InfoNCE\" (momentum-SimCLR + neg-cos distillation via a separate head)", Us3lSimClr),
        ("us3l-shared-head", "G3 ablation: US3L-BYOL with the shared predictor as the sub-networks' head", c => Us3lByol(c) with { DistillHead = DistillHead.Shared }),
        ("us3l-accumulate", "US-Nets stepping: accumulate the widths' gradients, one step per iteration", c => Us3lByol(c) with { Stepping = Stepping.Accumulate }),
        ("us3l-byol-dynamic", "US3L-BYOL with dynamic sampling \"A\" and group regularization (science.md 4.2, 5)",
            c => Us3lByol(c) with { Sampler = SamplerKind.DynamicA, GroupReg = true }),
        ("individual-byol", "individually trained BYOL at one width (FixedWidths[0])", c => Individual(c, BaseLoss.Byol)),
        ("individual-simsiam", "individually trained SimSiam at one width", c => Individual(c, BaseLoss.SimSiam)),
        ("individual-simclr", "individually trained SimCLR at one width (τ 0.5)", c => Individual(c, BaseLoss.SimClr) with { Temperature = 0.5, Lr = 0.3 }),
        ("individual-mocov2", "individually trained MoCo v2 at one width (queue, τ 0.07)", c => Individual(c, BaseLoss.MocoV2) with { Temperature = 0.07 }),
    };

    /// <summary>The preset names.</summary>
    public static IReadOnlyList<string> Names { get; } = Table.Select(t => t.Name).ToArray();

    /// <summary>What each preset is, one line each (the row of science.md 3.3 it implements).</summary>
    public static string Describe(string name) => Find(name).Row;

    /// <summary>The preset <paramref name="name"/> applied to <paramref name="baseConfig"/> (default <see cref="CpuBase"/>).</summary>
    public static PretrainConfig Get(string name, PretrainConfig? baseConfig = null) => Find(name).Apply(baseConfig ?? CpuBase);

    private static (string Name, string Row, Func<PretrainConfig, PretrainConfig> Apply) Find(string name)
    {
        var found = Table.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
        return found.Name is not null ? found : throw new ArgumentException($"Unknown preset '{name}'. Valid presets: {string.Join(", ", Names)}.");
    }

    private static PretrainConfig Us3lByol(PretrainConfig c) => c with
    {
        BaseLoss = BaseLoss.Byol, TargetSource = TargetSource.EmaTeacher, EmaUpdate = EmaUpdate.OncePerIteration,
        DistillLoss = DistillLoss.NegativeCosine, DistillHead = DistillHead.Separate, Distill = true,
    };

    // Science.md 6.2 / 8.1: NT-Xent τ 0.5 and the larger NT-Xent learning rate.
    private static PretrainConfig Us3lSimClr(PretrainConfig c) => Us3lByol(c) with { BaseLoss = BaseLoss.SimClrMomentum, Temperature = 0.5, Lr = 0.3 };

    /// <summary>One fixed width (the whole model, teacher included, at that width), no distillation (science.md 6.2 baselines).</summary>
    private static PretrainConfig Individual(PretrainConfig c, BaseLoss loss) => c with
    {
        BaseLoss = loss, Sampler = SamplerKind.Fixed, FixedWidths = new[] { c.FixedWidths.Length == 1 ? c.FixedWidths[0] : 1.0 },
        Distill = false, EvalWidths = new[] { c.FixedWidths.Length == 1 ? c.FixedWidths[0] : 1.0 },
    };
}
