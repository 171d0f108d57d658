using US3L.Augmentation;
using US3L.Data;
using US3L.Heads;
using US3L.Methods;
using US3L.Models;
using US3L.Regularization;
using US3L.Sampling;
using US3L.Slimmable;
using US3L.Teacher;
using US3L.Torch;
using US3L.Torch.optim;

namespace US3L.Training;

/// <summary>
/// Everything a run is built from its config, in a fixed order (so a resumed run builds the same
/// objects before loading the checkpoint into them): data, backbone, heads, teacher, optimizer,
/// regularizer, sampler, augmentation and its generator.
/// </summary>
internal sealed class TrainingSetup : IDisposable
{
    /// <param name="c">The run's config.</param>
    /// <param name="backbones">
    /// Builds the backbones (online and teacher) in place of the registry's <c>c.Arch</c>; null for the
    /// registry. Tests use it for shapes smaller than any registered architecture.
    /// </param>
    public TrainingSetup(PretrainConfig c, Func<ModelOptions, SlimmableNetwork>? backbones = null)
    {
        US3L.Config.ConfigValidator.Validate(c, "config");
        Config = c;
        this.backbones = backbones;
        Device = Device.Parse(c.Device);
        torch.manual_seed(c.Seed);
        Data = TrainingData.Load(c);
        Views = AugmentationRecipes.Get(c.Augmentation, Data.Train.Height).TwoViews();
        var fixedSingle = c.Sampler == SamplerKind.Fixed && c.FixedWidths.Length == 1;
        var low = c.Sampler == SamplerKind.Fixed ? Math.Min(c.WidthMin, c.FixedWidths.Min()) : c.WidthMin;
        ModelOptions = new ModelOptions
        {
            InChannels = Data.Train.Channels, Divisor = c.Divisor, TrainedRange = new WidthRange(low, c.WidthMax), Seed = c.Seed,
            WidthsList = c.SwitchableBn ? c.FixedWidths : null, SwitchableBn = c.SwitchableBn,
        };
        Method = SslMethod.For(c.BaseLoss);
        var multiWidth = !(c.Sampler == SamplerKind.Fixed && c.FixedWidths.Length == 1);
        var backbone = BuildBackbone();
        var featureDim = backbone.FeatureDim(1.0);
        // ResNets' pooled features shrink with the width; MobileNetV2's stay at 1280 channels.
        var slimInput = backbone.FeatureDim(low) != featureDim;
        // The heads draw from a generator of their own, seeded like the process-wide one was above and
        // drawn in the same order, so their weights are the seed's whatever else runs in the process.
        using var heads = new Generator(c.Seed);
        var projector = BuildProjector(featureDim, slimInput, heads);
        var predictor = Method.HasPredictor ? Method.BuildPredictor(c, heads) : null;
        Network = new SslNetwork(backbone, projector, predictor,
            SslMethod.HasAuxiliaryHead(c, multiWidth) ? Method.BuildAuxiliaryHead(predictor, c, heads) : null,
            c.FeatureDistill ? FeatureAdapters(c, backbone) : null);
        Method.Attach(Network, c);
        Network.to(Device);
        if (Method.HasTeacher(c, multiWidth))
        {
            var teacherBackbone = BuildBackbone();
            var teacherProjector = BuildProjector(featureDim, slimInput, heads);
            teacherBackbone.to(Device);
            teacherProjector.to(Device);
            Teacher = new EmaTeacher(Momentum(c, Data.Train.Count),
                new EmaPart("backbone", Network.Backbone, teacherBackbone), new EmaPart("projector", Network.Projector, teacherProjector));
        }
        var trainable = Network.parameters().Where(p => p.requires_grad).ToList();
        // Group regularization replaces weight decay (science.md 5).
        var weightDecay = c.GroupReg ? 0 : c.WeightDecay;
        Optimizer = c.Optimizer == OptimizerKind.AdamW
            ? new AdamW(trainable, c.Lr, weight_decay: weightDecay)
            : new SGD(trainable, c.Lr, c.Momentum, weight_decay: weightDecay);
        // The ViT script groups linear weights along their (slimmed) input axis, the CNN scripts conv
        // weights and 1-D tensors along the output channels (science.md 5; main_moco_ofa_ddp.py GroupRegularizer).
        if (c.GroupReg)
            Regularizer = new GroupRegularizer(Network,
                new GroupRegularization(c.GroupRegLambda, c.GroupRegAlpha, c.GroupRegBins, c.GroupRegWarmupEpochs, c.Epochs,
                    Axis: backbone is USViT ? GroupAxis.LinearInputFeatures : GroupAxis.ConvOutputChannels,
                    ExcludedNameParts: Network.FeatureAdapters is null ? null : FeatureAdapterNames));
        Sampler = new WidthSampler(Rule(c), c.Seed);
        Generator = new Generator(c.Seed);
        Loader = new DataLoader(Data.Train, c.BatchSize, shuffle: true, seed: c.Seed, dropLast: c.DropLast, prefetch: 2, device: Device);
        Loop = new WidthLoop(c, Method, Network, Teacher, Optimizer, Regularizer, fixedSingle ? c.FixedWidths[0] : c.WidthMax);
    }

    public PretrainConfig Config { get; }
    public Device Device { get; }
    public TrainingData Data { get; }
    public TwoViews Views { get; }
    public ModelOptions ModelOptions { get; }
    public SslMethod Method { get; }
    public SslNetwork Network { get; }
    public EmaTeacher? Teacher { get; }
    public Optimizer Optimizer { get; }
    public GroupRegularizer? Regularizer { get; }
    public WidthSampler Sampler { get; }
    public Generator Generator { get; }
    public DataLoader Loader { get; }
    public WidthLoop Loop { get; }

    /// <summary>A fresh backbone of the run's architecture (weights from the seed; load a state to use it).</summary>
    public SlimmableNetwork BuildBackbone() => backbones?.Invoke(ModelOptions) ?? ModelRegistry.Create(Config.Arch, ModelOptions);

    private readonly Func<ModelOptions, SlimmableNetwork>? backbones;

    /// <summary>The reference's group regularizer skips every parameter named "proj_conv" (GroupReg.py L42): the adapters.</summary>
    private static readonly string[] FeatureAdapterNames = { "proj_conv" };

    /// <summary>
    /// The feature-distillation adapters of the config's layers (science.md 3.7), drawn from a generator
    /// of their own so that switching them on leaves every other initial weight as it was.
    /// </summary>
    private static FeatureAdapters FeatureAdapters(PretrainConfig c, SlimmableNetwork backbone)
    {
        using var generator = new Generator(c.Seed);
        return new FeatureAdapters(backbone, FeatureLayers.Resolve(c.Arch, c.FeatureDistillLayers), generator);
    }

    private Torch.nn.Sequential BuildProjector(int featureDim, bool slimInput, Generator generator) =>
        Method.BuildProjector(featureDim, slimInput, Config, generator);

    /// <summary>
    /// The EMA momentum schedule: constant m, or MoCo v3's cosine from m to 1 over the run's
    /// iterations (one update per iteration; science 3.6).
    /// </summary>
    private static EmaMomentum Momentum(PretrainConfig c, int trainImages)
    {
        if (c.EmaSchedule == EmaSchedule.Constant) return new ConstantMomentum(c.EmaMomentum);
        var perEpoch = c.DropLast ? trainImages / c.BatchSize : (trainImages + c.BatchSize - 1) / c.BatchSize;
        return new CosineMomentum(c.EmaMomentum, Math.Max(1L, (long)perEpoch * c.Epochs));
    }

    /// <summary>The width rule of the config (science.md 4).</summary>
    public static WidthSampling Rule(PretrainConfig c) => c.Sampler switch
    {
        SamplerKind.Sandwich => new SandwichSampling(c.NumWidths, c.WidthMin, c.WidthMax),
        SamplerKind.Uniform => new UniformSampling(c.NumWidths, c.WidthMin, c.WidthMax),
        SamplerKind.Fixed => new FixedWidths(c.FixedWidths),
        SamplerKind.DynamicA => new DynamicSamplingA(c.Epochs, c.NumWidths, c.WidthMin, c.WidthMax),
        SamplerKind.SandwichReference => new ReferenceSandwichSampling(c.NumWidths, c.WidthMin, c.WidthMax),
        _ => throw new ArgumentOutOfRangeException(nameof(c), $"Unknown sampler {c.Sampler}."),
    };

    public void Dispose()
    {
        Loop.Traced = null;
        Loop.Dispose();
        Regularizer?.Dispose();
        Optimizer.Dispose();
        Teacher?.Dispose();
        Network.Dispose();
        Generator.Dispose();
    }
}
