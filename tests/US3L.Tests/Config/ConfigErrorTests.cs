using US3L.Config;
using US3L.Training;

namespace US3L.Tests.Config;

/// <summary>Bad recipes fail with one line that says where, what and what was expected.</summary>
public class ConfigErrorTests
{
    private static ConfigException Fails(string yaml, string? profile = null) =>
        Assert.Throws<ConfigException>(() => RecipeLoader.Parse(yaml, "my.yaml", profile));

    [Fact]
    public void AnUnknownKeySuggestsTheClosestAndListsEveryValidKey()
    {
        var e = Fails("epochs: 10\nema_momentun: 0.9\n");
        Assert.StartsWith("my.yaml:2: unknown key 'ema_momentun'. Did you mean 'ema_momentum'?", e.Message);
        foreach (var key in ConfigSchema.For<PretrainConfig>().Keys) Assert.Contains(key, e.Message);
        Assert.Equal(2, e.Line);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void AnUnknownKeyInsideAProfileNamesItsLine()
    {
        var e = Fails("epochs: 10\nprofiles:\n  smoke:\n    epoch: 4\n", "smoke");
        Assert.StartsWith("my.yaml:4: unknown key 'epoch'. Did you mean 'epochs'?", e.Message);
    }

    [Fact]
    public void ABadEnumValueListsTheValidValues()
    {
        var e = Fails("base_loss: byl\n");
        Assert.Equal("my.yaml:1: 'base_loss' expects one of byol, simclr_momentum, simsiam, simclr, moco_v2, moco_v3, got 'byl'. Did you mean 'byol'?", e.Message);
    }

    [Theory]
    [InlineData("epochs: many", "'epochs' expects an integer, got 'many'.")]
    [InlineData("epochs: 2.5", "'epochs' expects an integer, got '2.5'.")]
    [InlineData("lr: fast", "'lr' expects a number, got 'fast'.")]
    [InlineData("group_reg: yes", "'group_reg' expects true or false, got 'yes'.")]
    [InlineData("fixed_widths: [1.0, big]", "'fixed_widths' expects a list of numbers such as [1.0, 0.5], got 'big'.")]
    [InlineData("lr: [0.1]", "'lr' expects a number, got a list.")]
    [InlineData("seed: {a: 1}", "'seed' expects an integer, got a mapping.")]
    public void ABadValueNamesTheKeyTheValueAndTheExpectedType(string yaml, string problem)
    {
        Assert.Equal($"my.yaml:1: {problem}", Fails(yaml).Message);
    }

    [Fact]
    public void InvalidYamlIsReportedWithItsLine()
    {
        var e = Fails("epochs: 10\nlr: [0.1\n");
        Assert.StartsWith("my.yaml:", e.Message);
        Assert.Contains("not valid YAML", e.Message);
    }

    [Fact]
    public void ARecipeMustBeAMapping()
    {
        Assert.Contains("a recipe must be a mapping", Fails("- epochs\n").Message);
        Assert.Contains("'profiles' must map profile names", Fails("profiles: [smoke]\n").Message);
    }

    [Fact]
    public void EnumsAcceptSnakeCaseAndTheJoinedSpelling()
    {
        var c = RecipeLoader.Parse("base_loss: sim_clr_momentum\nsampler: DynamicA\ndistill_loss: ntxent_student_negatives\n", "x.yaml").Config;
        Assert.Equal((BaseLoss.SimClrMomentum, SamplerKind.DynamicA, DistillLoss.NtXentStudentNegatives), (c.BaseLoss, c.Sampler, c.DistillLoss));
    }

    [Fact]
    public void OverridesUseTheSameRules()
    {
        var c = ConfigOverrides.Apply(new PretrainConfig(), new[] { "epochs=7", "base_loss=moco_v3", "fixed_widths=0.5,1.0", "data_dir=/data/x", "group_reg=true" });
        Assert.Equal((7, BaseLoss.MocoV3, "/data/x", true), (c.Epochs, c.BaseLoss, c.DataDir, c.GroupReg));
        Assert.Equal(new[] { 0.5, 1.0 }, c.FixedWidths);

        var bad = Assert.Throws<ConfigException>(() => ConfigOverrides.Apply(new PretrainConfig(), new[] { "sampler=sandwhich" }));
        Assert.Equal("--set sampler=sandwhich: 'sampler' expects one of sandwich, uniform, fixed, dynamic_a, sandwich_reference, got 'sandwhich'. Did you mean 'sandwich'?", bad.Message);
        var unknown = Assert.Throws<ConfigException>(() => ConfigOverrides.Apply(new PretrainConfig(), new[] { "epoch=3" }));
        Assert.StartsWith("--set epoch=3: unknown key 'epoch'. Did you mean 'epochs'? Valid keys: dataset, data_dir,", unknown.Message);
        var noEquals = Assert.Throws<ConfigException>(() => ConfigOverrides.Apply(new PretrainConfig(), new[] { "epochs" }));
        Assert.Equal("--set epochs: expected key=value, e.g. epochs=2 or base_loss=simsiam.", noEquals.Message);
    }

    [Fact]
    public void ValidationListsEveryProblem()
    {
        var e = Fails("width_min: 0.5\nwidth_max: 0.4\narch: resnet9\nbatch_size: 1\naugmentation: fashion-mnist-test\ndataset: mnist\n");
        Assert.Contains("width_min must be in (0, width_max = 0.4], got 0.5.", e.Message);
        Assert.Contains("arch 'resnet9' is unknown; expected one of us_cifar_resnet18", e.Message);
        Assert.Contains("batch_size must be at least 2", e.Message);
        Assert.Contains("augmentation 'fashion-mnist-test' is a single-view evaluation recipe", e.Message);
        Assert.Contains("dataset 'mnist' is unknown; expected one of fashion-mnist, cifar10", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("width_max: 1.5", "width_max must be in (0, 1], got 1.5.")]
    [InlineData("width_min: 0", "width_min must be in (0, width_max = 1], got 0.")]
    [InlineData("num_widths: 0", "num_widths must be at least 1, got 0.")]
    [InlineData("epochs: 0", "epochs must be at least 1, got 0.")]
    [InlineData("ema_momentum: 1.5", "ema_momentum must be in [0, 1], got 1.5.")]
    [InlineData("knn_every: -2", "knn_every must be >= -1 (0 = only at the end, -1 = never), got -2.")]
    [InlineData("log_every: 0", "log_every must be at least 1, got 0.")]
    [InlineData("base_loss: simclr\ndistill_head: shared", "distill_head shared routes the sub-networks through the predictor, but base_loss simclr has none")]
    [InlineData("group_reg_alpha: 0.5", "group_reg_alpha must be in [0, 1/(group_reg_bins − 1)]")]
    [InlineData("device: tpu", "device 'tpu' is not a device; expected cpu, cuda or cuda:N.")]
    [InlineData("sampler: fixed\nfixed_widths: [0.1]", "fixed_widths: 0.1 is outside [width_min, width_max] = [0.25, 1].")]
    [InlineData("eval_widths: []", "eval_widths must list at least one width.")]
    public void ValidationNamesTheKey(string yaml, string problem)
    {
        Assert.Contains(problem, Fails(yaml).Message);
    }

    [Theory]
    [InlineData("feature_distill: true\ndistill: false", "feature_distill needs distill: true;")]
    [InlineData("feature_distill: true\ntarget_source: online_max", "feature_distill regresses on the EMA teacher's features, so it needs target_source ema_teacher, got online_max.")]
    [InlineData("feature_distill: true\nsampler: fixed", "feature_distill distills sub-networks, but sampler fixed with the single width 1 trains none.")]
    [InlineData("feature_distill: true\narch: us_vit_mini", "feature_distill is defined for the ResNets (us_cifar_resnet18, us_cifar_resnet34, us_cifar_resnet50, us_resnet18, us_resnet50, us_resnet10_mini); arch 'us_vit_mini' has no feature layers.")]
    [InlineData("feature_distill: true\nfeature_distill_layers: [layer4.0.conv2]", "feature_distill_layers: 'layer4.0.conv2' is not a US-BatchNorm of us_resnet10_mini; expected some of bn1, layer1.0.bn1, layer1.0.bn2, layer2.0.bn1,")]
    [InlineData("feature_distill: true\nfeature_distill_layers: [bn1, bn1]", "feature_distill_layers lists 'bn1' more than once.")]
    [InlineData("feature_distill_weight: -1", "feature_distill_weight must be >= 0, got -1.")]
    public void FeatureDistillationProblemsNameTheKey(string yaml, string problem)
    {
        Assert.Contains(problem, Fails(yaml).Message);
    }

    [Fact]
    public void FeatureDistillationIsValidOnTheDefaultsAndReadsItsLayers()
    {
        var c = RecipeLoader.Parse("feature_distill: true\nfeature_distill_layers: [layer3.0.bn2, bn1]\nfeature_distill_weight: 0.5\n", "x.yaml").Config;
        Assert.Equal((true, 0.5), (c.FeatureDistill, c.FeatureDistillWeight));
        Assert.Equal(new[] { "layer3.0.bn2", "bn1" }, c.FeatureDistillLayers);
        Assert.Empty(new PretrainConfig().FeatureDistillLayers);
        Assert.False(new PretrainConfig().FeatureDistill);
    }

    [Fact]
    public void TheDefaultsAreValid()
    {
        Assert.Empty(ConfigValidator.Problems(new PretrainConfig()));
    }
}
