using System.Text.Json;
using US3L.Tests.Data;

namespace US3L.Tests.Cli;

/// <summary>`us3l finetune detect` as a process: the smoke fine-tune of CI, its JSON, and its one-line errors.</summary>
public class FinetuneCommandTests
{
    [Fact]
    public void SmokeFineTunePrintsResultsJsonWithBoxAndMaskApPerWidth()
    {
        using var dir = new TempDirectory();
        var run = Path.Combine(dir.Path, "run");
        var r = CliRunner.Run("finetune", "detect", "--random-init", "--arch", "us_resnet10_mini", "--widths", "1.0,0.25", "--data", "scenes",
            "--profile", "smoke", "--out", run, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var results = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.Equal("random", results.GetProperty("init").GetString());
        var widths = results.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(new[] { 1.0, 0.25 }, widths.Select(w => w.GetProperty("width").GetDouble()));
        foreach (var w in widths)
        {
            Assert.Equal(12, w.GetProperty("box").EnumerateObject().Count());
            Assert.Equal(12, w.GetProperty("mask").EnumerateObject().Count());
            Assert.True(w.GetProperty("iterations").GetInt64() > 0);
        }
        foreach (var file in new[] { "config.json", "config.yaml", "metrics.jsonl", "results.json" })
            Assert.True(File.Exists(Path.Combine(run, file)), file);
        Assert.Contains("profile: smoke", File.ReadAllText(Path.Combine(run, "config.yaml")));
    }

    [Theory]
    [InlineData("give either --checkpoint", "finetune", "detect", "--arch", "us_resnet10_mini", "--profile", "smoke")]
    [InlineData("checkpoint not found: nowhere.safetensors", "finetune", "detect", "--checkpoint", "nowhere.safetensors", "--arch", "us_resnet10_mini", "--profile", "smoke")]
    [InlineData("arch 'resnet50' is unknown", "finetune", "detect", "--random-init", "--arch", "resnet50", "--profile", "smoke")]
    [InlineData("--widths: '2' is not a width", "finetune", "detect", "--random-init", "--widths", "1.0,2", "--profile", "smoke")]
    [InlineData("data must be 'scenes' or 'coco:DIR'", "finetune", "detect", "--random-init", "--data", "voc", "--recipe", "scenes", "--profile", "smoke")]
    public void BadInputIsOneLineNamingTheProblem(string expected, params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
