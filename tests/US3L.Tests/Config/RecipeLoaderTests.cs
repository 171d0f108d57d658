using System.Text.RegularExpressions;
using US3L.Config;
using US3L.Training;

namespace US3L.Tests.Config;

/// <summary>The shipped recipes: each profile resolves to a valid config with the values science.md gives.</summary>
public class RecipeLoaderTests
{
    public static TheoryData<string, string> RecipeProfiles()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in RecipeLoader.Names)
            foreach (var profile in RecipeLoader.StandardProfiles)
                data.Add(name, profile);
        return data;
    }

    [Fact]
    public void TheRecipesOfSciencePart6And8AreShipped()
    {
        var expected = new[]
        {
            "cifar100-mobilenetv2-byol", "cifar100-mobilenetv2-naive-simsiam", "cifar100-resnet18-us3l-infonce", "cifar100-resnet18-us3l-mse", "cifar100-resnet50-byol",
            "fashion-mnist-dspnet", "fashion-mnist-individual", "fashion-mnist-naive-simsiam", "fashion-mnist-us3l", "fashion-mnist-us3l-featdistill",
            "fashion-mnist-vit-us3l-mocov3",
            "imagenet-resnet18-byol", "imagenet-resnet50-byol", "imagenet-vit-tiny-us3l-mocov3",
        };
        Assert.Equal(expected, RecipeLoader.Names);
    }

    [Theory]
    [MemberData(nameof(RecipeProfiles))]
    public void EveryProfileLoadsAndValidates(string name, string profile)
    {
        var recipe = RecipeLoader.Resolve(name, profile);
        Assert.Equal(name, recipe.Name);
        Assert.Equal(profile, recipe.Profile);
        Assert.Equal(RecipeLoader.StandardProfiles, recipe.Profiles);
        Assert.False(string.IsNullOrWhiteSpace(recipe.Description));
        Assert.Empty(ConfigValidator.Problems(recipe.Config));
        if (profile == "smoke")
        {
            // Seconds on a CPU: a CI check, never a result.
            Assert.Equal("cpu", recipe.Config.Device);
            Assert.InRange(recipe.Config.TrainSubset, 1, 512);
            Assert.InRange(recipe.Config.Epochs, 1, 4);
        }
        if (profile == "short") Assert.Equal("cpu", recipe.Config.Device);
    }

    [Theory]
    [MemberData(nameof(RecipeProfiles))]
    public void ProfilesChangeOnlyScaleNotTheMethod(string name, string profile)
    {
        var full = RecipeLoader.Load(name, "full");
        var other = RecipeLoader.Load(name, profile);
        Assert.Equal(full.BaseLoss, other.BaseLoss);
        // A CPU profile may scale the architecture within its family: the ViT-Tiny recipe's smoke runs the mini US-ViT.
        static string Family(string arch) => arch.StartsWith("us_vit", StringComparison.Ordinal) ? "us_vit" : arch;
        Assert.Equal((Family(full.Arch), full.Sampler, full.NumWidths, full.TargetSource, full.DistillHead, full.Distill, full.GroupReg),
            (Family(other.Arch), other.Sampler, other.NumWidths, other.TargetSource, other.DistillHead, other.Distill, other.GroupReg));
        Assert.Equal((full.DistillLoss, full.Optimizer, full.LrSchedule, full.EmaSchedule, full.Temperature),
            (other.DistillLoss, other.Optimizer, other.LrSchedule, other.EmaSchedule, other.Temperature));
        Assert.Equal((full.FeatureDistill, full.FeatureDistillWeight), (other.FeatureDistill, other.FeatureDistillWeight));
        Assert.Equal(full.FeatureDistillLayers, other.FeatureDistillLayers);
    }

    [Fact]
    public void EveryValueLineCarriesAComment()
    {
        var valueLine = new Regex(@"^\s*[a-z_]+:\s*\S");
        foreach (var path in Directory.GetFiles(RecipeLoader.Folder, "*.yaml"))
            foreach (var (line, number) in File.ReadAllLines(path).Select((l, i) => (l, i + 1)))
                if (valueLine.IsMatch(line) && !line.TrimStart().StartsWith("description:", StringComparison.Ordinal))
                    Assert.True(line.Contains(" # ", StringComparison.Ordinal), $"{Path.GetFileName(path)}:{number} sets a value without a comment: {line}");
    }

    [Fact]
    public void TheReadmeRecipeHasSciencesValues()
    {
        var c = RecipeLoader.Load("cifar100-resnet18-us3l-infonce", "full");
        Assert.Equal((BaseLoss.SimClrMomentum, DistillLoss.NegativeCosine, 256, 2048, 0.5), (c.BaseLoss, c.DistillLoss, c.ProjectorOut, c.ProjectorHidden, c.Temperature));
        Assert.Equal((400, 512, 0.5, 100L), (c.Epochs, c.BatchSize, c.Lr, c.Seed));
        Assert.Equal((true, 5e-5, 0.05, 8, 0), (c.GroupReg, c.GroupRegLambda, c.GroupRegAlpha, c.GroupRegBins, c.GroupRegWarmupEpochs));
        Assert.Equal((SamplerKind.DynamicA, 3), (c.Sampler, c.NumWidths));
        Assert.Equal(("cifar100", "us_cifar_resnet18", "cifar"), (c.Dataset, c.Arch, c.Augmentation));
    }

    [Fact]
    public void TheCpuRecipesFollowSection8()
    {
        var us3l = RecipeLoader.Load("fashion-mnist-us3l", "short");
        Assert.Equal((256, 128, 256, 256, 0.05, 0.98), (us3l.ProjectorHidden, us3l.ProjectorOut, us3l.PredictorHidden, us3l.BatchSize, us3l.Lr, us3l.EmaMomentum));
        Assert.Equal((SamplerKind.DynamicA, 3, TargetSource.EmaTeacher, DistillHead.Separate), (us3l.Sampler, us3l.NumWidths, us3l.TargetSource, us3l.DistillHead));
        Assert.Equal(0.99, RecipeLoader.Load("fashion-mnist-us3l", "full").EmaMomentum);

        // The feature-distillation recipe is the US3L recipe with the switch on (science.md 3.7), nothing else.
        foreach (var profile in RecipeLoader.StandardProfiles)
        {
            var plain = RecipeLoader.Load("fashion-mnist-us3l", profile);
            var featdistill = RecipeLoader.Load("fashion-mnist-us3l-featdistill", profile);
            Assert.Equal(new[] { "feature_distill", "feature_distill_layers" }, ConfigSchema.For<PretrainConfig>().Differences(plain, featdistill));
            Assert.Equal((true, 1.0), (featdistill.FeatureDistill, featdistill.FeatureDistillWeight));
            Assert.Equal(US3L.Models.FeatureLayers.Default(featdistill.Arch), featdistill.FeatureDistillLayers);
        }

        var naive = RecipeLoader.Load("fashion-mnist-naive-simsiam", "smoke");
        Assert.Equal((BaseLoss.SimSiam, TargetSource.OnlineMax, DistillHead.Shared, SamplerKind.Sandwich),
            (naive.BaseLoss, naive.TargetSource, naive.DistillHead, naive.Sampler));

        var individual = RecipeLoader.Load("fashion-mnist-individual", "smoke");
        Assert.Equal((SamplerKind.Fixed, 1, false), (individual.Sampler, individual.NumWidths, individual.Distill));
        Assert.Equal(new[] { 1.0 }, individual.FixedWidths);
    }

    [Fact]
    public void WithoutAProfileTheBaseSectionIsUsed()
    {
        var recipe = RecipeLoader.Resolve("fashion-mnist-us3l");
        Assert.Null(recipe.Profile);
        Assert.Equal(30, recipe.Config.Epochs);
    }

    [Fact]
    public void AnUnknownProfileListsTheDefinedOnes()
    {
        var e = Assert.Throws<ConfigException>(() => RecipeLoader.Load("fashion-mnist-us3l", "huge"));
        Assert.Contains("no profile 'huge'", e.Message);
        Assert.Contains("smoke, short, full", e.Message);
    }

    [Fact]
    public void AnUnknownRecipeSuggestsTheClosestAndListsAll()
    {
        var e = Assert.Throws<ConfigException>(() => RecipeLoader.Load("fashion-mnist-us3"));
        Assert.Contains("Did you mean 'fashion-mnist-us3l'?", e.Message);
        Assert.Contains("imagenet-resnet50-byol", e.Message);
        var missing = Assert.Throws<ConfigException>(() => RecipeLoader.Load("/nowhere/recipe.yaml"));
        Assert.Equal("/nowhere/recipe.yaml: recipe file not found.", missing.Message);
    }

    [Fact]
    public void OverridesApplyAfterTheProfile()
    {
        var recipe = RecipeLoader.Resolve("fashion-mnist-us3l", "smoke", new[] { "ema_momentum=0", "distill_head=shared", "eval_widths=[1.0, 0.5]" });
        Assert.Equal((0.0, DistillHead.Shared), (recipe.Config.EmaMomentum, recipe.Config.DistillHead));
        Assert.Equal(new[] { 1.0, 0.5 }, recipe.Config.EvalWidths);
        Assert.Equal(512, recipe.Config.TrainSubset); // the profile still applies
        Assert.Equal(3, recipe.Overrides.Count);
    }

    [Fact]
    public void AnOverrideThatBreaksValidationIsRefused()
    {
        var e = Assert.Throws<ConfigException>(() => RecipeLoader.Load("fashion-mnist-us3l", "smoke", new[] { "epochs=2" }));
        Assert.Contains("(profile smoke)", e.Message);
        Assert.Contains("dynamic_a", e.Message);
        Assert.Contains("epochs >= 4", e.Message);
    }
}
