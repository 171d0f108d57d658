using US3L.Config;
using US3L.Training;

namespace US3L.Tests.Config;

/// <summary>A written config reads back to the same record, so a run folder reproduces its run.</summary>
public class ConfigRoundTripTests
{
    private static readonly ConfigSchema Schema = ConfigSchema.For<PretrainConfig>();

    public static TheoryData<string, string> RecipeProfiles() => RecipeLoaderTests.RecipeProfiles();

    [Theory]
    [MemberData(nameof(RecipeProfiles))]
    public void YamlAndJsonRoundTrip(string name, string profile)
    {
        var config = RecipeLoader.Load(name, profile);
        var fromYaml = RecipeLoader.Parse(ConfigWriter.ToYaml(config, new[] { "a header line" }), "run/config.yaml").Config;
        Assert.Empty(Schema.Differences(config, fromYaml));
        var fromJson = RecipeLoader.Parse(ConfigJson.Write(config), "run/config.json").Config;
        Assert.Empty(Schema.Differences(config, fromJson));
        Assert.Empty(Schema.Differences(config, ConfigJson.Read(ConfigJson.Write(config))));
    }

    [Fact]
    public void AwkwardValuesRoundTrip()
    {
        var config = new PretrainConfig
        {
            DataDir = "C:\\data\\my \"images\": #1",
            Lr = 1.0 / 3,
            GroupRegLambda = 5e-5,
            Seed = long.MaxValue,
            FixedWidths = new[] { 0.3, 0.275, 1.0 },
            EvalWidths = new[] { 1.0 },
            BaseLoss = BaseLoss.MocoV2,
            DistillLoss = DistillLoss.NtXentStudentNegatives,
        };
        var back = RecipeLoader.Parse(ConfigWriter.ToYaml(config), "x.yaml").Config;
        Assert.True(Schema.Same(config, back), string.Join(", ", Schema.Differences(config, back)));
        var json = System.Text.Json.JsonDocument.Parse(ConfigJson.Write(config)).RootElement;
        Assert.Equal("moco_v2", json.GetProperty("base_loss").GetString());
        Assert.Equal(5e-5, json.GetProperty("group_reg_lambda").GetDouble());
        Assert.Equal(3, json.GetProperty("fixed_widths").GetArrayLength());
        var fromJson = RecipeLoader.Parse(ConfigJson.Write(config), "x.json").Config;
        Assert.True(Schema.Same(config, fromJson), string.Join(", ", Schema.Differences(config, fromJson)));
    }

    [Fact]
    public void TheYamlListsEveryFieldOnceInDeclarationOrder()
    {
        var lines = ConfigWriter.ToYaml(new PretrainConfig()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Schema.Keys, lines.Select(l => l[..l.IndexOf(':')]));
        Assert.Contains("base_loss: byol", lines);
        Assert.Contains("ema_momentum: 0.99", lines);
        Assert.Contains("fixed_widths: [1.0]", lines);
        Assert.Contains("sampler: dynamic_a", lines);
        Assert.Contains("group_reg_lambda: 0.00025", lines);
    }

    [Fact]
    public void TheRunFolderHoldsBothFormatsWithTheRecipeInTheHeader()
    {
        var folder = Path.Combine(Path.GetTempPath(), "us3l-config-" + Guid.NewGuid().ToString("N"));
        try
        {
            var recipe = RecipeLoader.Resolve("fashion-mnist-naive-simsiam", "smoke", new[] { "seed=3" });
            // What a run folder holds: the trainer's config.json and the CLI's annotated config.yaml.
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "config.json"), ConfigJson.Write(recipe.Config));
            File.WriteAllText(Path.Combine(folder, "config.yaml"), ConfigWriter.ToYaml(recipe));
            var yaml = File.ReadAllText(Path.Combine(folder, "config.yaml"));
            Assert.StartsWith("# recipe: fashion-mnist-naive-simsiam (", yaml);
            Assert.Contains("# profile: smoke", yaml);
            Assert.Contains("# overrides: seed=3", yaml);
            Assert.True(Schema.Same(recipe.Config, RecipeLoader.Load(Path.Combine(folder, "config.yaml"))));
            Assert.True(Schema.Same(recipe.Config, RecipeLoader.Load(Path.Combine(folder, "config.json"))));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void EveryFieldIsAKeyAndNewFieldsNeedNoCode()
    {
        Assert.Equal(typeof(PretrainConfig).GetProperties().Count(p => p.SetMethod?.IsPublic == true), Schema.Fields.Count);
        Assert.Equal("ema_momentum", Schema.Fields.Single(f => f.Property.Name == nameof(PretrainConfig.EmaMomentum)).Key);
        Assert.Equal("group_reg_warmup_epochs", Schema.Fields.Single(f => f.Property.Name == nameof(PretrainConfig.GroupRegWarmupEpochs)).Key);
    }

    [Theory]
    [InlineData("SimClrMomentum", "simclr_momentum")]
    [InlineData("NtXentStudentNegatives", "ntxent_student_negatives")]
    [InlineData("OncePerIteration", "once_per_iteration")]
    [InlineData("DynamicA", "dynamic_a")]
    [InlineData("MocoV2", "moco_v2")]
    [InlineData("SimSiam", "simsiam")]
    public void SnakeCaseKeepsTheFieldsOneWordNames(string pascal, string snake)
    {
        Assert.Equal(snake, SnakeCase.Of(pascal));
    }
}
