using System.Text.Json;

namespace US3L.Tests.Cli;

/// <summary>
/// `us3l linear --protocol reference` and `us3l semisup` as processes (science.md 6.7, 6.8): the
/// smoke profiles on 256 Fashion-MNIST training and 64 test images, their JSON, and their one-line
/// errors.
/// </summary>
public class ProtocolCommandsTests
{
    private static readonly string[] Tiny = { "--arch", "us_resnet10_mini", "--test-subset", "64", "--batch-size", "64" };

    private static JsonElement[] JsonLines(CliRunner.Result r)
    {
        Assert.True(r.ExitCode == 0, r.Stderr);
        return r.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
    }

    [Fact]
    public void ReferenceLinearCalibratesForAPassThenTrainsTheProfilesEpochs()
    {
        var args = new[] { "linear", "--protocol", "reference", "--profile", "smoke", "--random-init", "--widths", "0.5", "--train-subset", "256", "--json" };
        var row = Assert.Single(JsonLines(CliRunner.Run(args.Concat(Tiny).ToArray())));
        Assert.Equal("reference", row.GetProperty("protocol").GetString());
        // The smoke profile: one calibration pass over 256 images in batches of 64, two epochs, test top-1 after the last.
        Assert.Equal((4, 64), (row.GetProperty("calibration_batches").GetInt32(), row.GetProperty("calibration_batch_size").GetInt32()));
        Assert.Equal(2, row.GetProperty("probe_epochs").GetInt32());
        var validation = Assert.Single(row.GetProperty("validations").EnumerateArray());
        Assert.Equal((1, row.GetProperty("top1").GetDouble()), (validation.GetProperty("epoch").GetInt32(), validation.GetProperty("top1").GetDouble()));
        var top1 = row.GetProperty("top1").GetDouble();
        Assert.Equal(Math.Round(top1 * 64), top1 * 64, 9);
    }

    [Fact]
    public void ReferenceLinearTableNamesTheMethod()
    {
        var args = new[] { "linear", "--protocol", "reference", "--profile", "smoke", "--random-init", "--widths", "0.25", "--train-subset", "128" };
        var r = CliRunner.Run(args.Concat(Tiny).ToArray());
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.StartsWith("linear, reference protocol (cifar setting, profile smoke: 2 epochs, batch 32, SGD lr 30 x0.1 at epochs 1", r.StdoutLines[0]);
        Assert.Contains("BN calibrated by 1 pass(es) in batches of 64 (linear-eval-fashion-mnist)", r.StdoutLines[0]);
        Assert.Equal(new[] { "0.25", "64", "3.3M" }, r.StdoutLines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..3]);
    }

    [Fact]
    public void SemisupFineTunesOnAClassBalancedTenthOfTheLabels()
    {
        var args = new[] { "semisup", "--fraction", "0.1", "--profile", "smoke", "--random-init", "--widths", "1.0,0.25", "--train-subset", "500", "--json" };
        var rows = JsonLines(CliRunner.Run(args.Concat(Tiny).ToArray()));
        Assert.Equal(new[] { 1.0, 0.25 }, rows.Select(r => r.GetProperty("width").GetDouble()));
        foreach (var row in rows)
        {
            // 10 % of 500 images: 50 labelled, 5 per class of Fashion-MNIST's 10.
            Assert.Equal((500, "class-balanced 0.1, seed 0"), (row.GetProperty("pool_count").GetInt32(), row.GetProperty("labels").GetString()));
            Assert.Equal(50, row.GetProperty("train_count").GetInt32());
            var top1 = row.GetProperty("top1").GetDouble();
            Assert.Equal(Math.Round(top1 * 64), top1 * 64, 9);
        }
    }

    [Theory]
    [InlineData("--protocol: unknown protocol 'official'; expected quick or reference.", "linear", "--protocol", "official", "--random-init")]
    [InlineData("Unknown evaluation profile 'long'; expected one of smoke, short, full.", "linear", "--protocol", "reference", "--profile", "long", "--random-init")]
    [InlineData("--fraction must be in (0, 1], e.g. 0.01 or 0.1; got 1.5.", "semisup", "--fraction", "1.5", "--random-init")]
    [InlineData("fewer than its 10 classes", "semisup", "--fraction", "0.01", "--random-init", "--train-subset", "500")]
    [InlineData("--split-file names ImageNet images: use it with --dataset image-folder.", "semisup", "--fraction", "0.01", "--random-init", "--split-file", "1percent.txt")]
    [InlineData("--switchable-bn keeps a private BN per width of a fixed list: give the list with --widths-list.", "semisup", "--fraction", "0.1", "--random-init", "--switchable-bn", "--train-subset", "500")]
    public void BadInputIsOneLineNamingTheProblem(string expected, params string[] args)
    {
        var r = CliRunner.Run(args.Concat(Tiny).ToArray());
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
