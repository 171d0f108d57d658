using System.Text.Json;
using US3L.Models;
using US3L.Tests.Data;
using US3L.Torch.Serialization;

namespace US3L.Tests.Cli;

/// <summary>
/// The evaluation commands end to end through the built tool, on a tiny setup: the mini backbone,
/// 256 Fashion-MNIST training and 64 test images, one calibration batch.
/// </summary>
public class EvalCommandsTests
{
    private static readonly string[] Tiny =
        { "--arch", "us_resnet10_mini", "--train-subset", "256", "--test-subset", "64", "--calibrate-batches", "1", "--batch-size", "128" };

    private static string[] Args(params string[] head) => head.Concat(Tiny).ToArray();

    private static JsonElement[] JsonLines(CliRunner.Result r)
    {
        Assert.True(r.ExitCode == 0, r.Stderr);
        return r.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
    }

    [Fact]
    public void KnnPrintsOneJsonLinePerWidthAndKWithItsProtocol()
    {
        var rows = JsonLines(CliRunner.Run(Args("knn", "--random-init", "--seed", "3", "--widths", "1.0,0.25", "--k", "5,20", "--json")));
        Assert.Equal(4, rows.Length);
        Assert.Equal(new[] { 1.0, 1.0, 0.25, 0.25 }, rows.Select(r => r.GetProperty("width").GetDouble()));
        Assert.Equal(new[] { 5, 20, 5, 20 }, rows.Select(r => r.GetProperty("k").GetInt32()));
        Assert.Equal(new[] { 256, 256, 64, 64 }, rows.Select(r => r.GetProperty("feature_dim").GetInt32()));
        foreach (var r in rows)
        {
            Assert.Equal("knn", r.GetProperty("method").GetString());
            Assert.Equal("fashion-mnist", r.GetProperty("dataset").GetString());
            Assert.True(r.GetProperty("bn_calibrated").GetBoolean());
            Assert.Equal(3, r.GetProperty("seed").GetInt64());
            Assert.Equal((256, 64), (r.GetProperty("train_count").GetInt32(), r.GetProperty("test_count").GetInt32()));
            Assert.Equal("random-init (seed 3)", r.GetProperty("weights").GetString());
            Assert.Equal(1, r.GetProperty("calibration_batches").GetInt32());
            // A count of the 64 queries; random-init features already classify Fashion-MNIST far above chance (0.1, science.md 8.2).
            var top1 = r.GetProperty("top1").GetDouble();
            Assert.Equal(Math.Round(top1 * 64), top1 * 64, 9);
            Assert.True(top1 > 0.3, $"kNN top-1 {top1} is near chance");
        }
    }

    [Fact]
    public void TheViTEvaluatesWithNothingToCalibrate()
    {
        var args = new[] { "knn", "--random-init", "--widths", "1.0,0.25", "--k", "5", "--json" }.Concat(Tiny).ToArray();
        args[Array.IndexOf(args, "us_resnet10_mini")] = "us_vit_mini";
        var rows = JsonLines(CliRunner.Run(args));
        Assert.Equal(new[] { 96, 96 }, rows.Select(r => r.GetProperty("feature_dim").GetInt32()));
        Assert.Equal(new[] { 0, 0 }, rows.Select(r => r.GetProperty("calibration_batches").GetInt32()));
        Assert.All(rows, r => Assert.True(r.GetProperty("bn_calibrated").GetBoolean()));
        Assert.All(rows, r => Assert.Equal("us_vit_mini", r.GetProperty("arch").GetString()));
    }

    [Fact]
    public void KnnPrintsATableAndProgressGoesToStderr()
    {
        var r = CliRunner.Run(Args("knn", "--random-init", "--widths", "0.5", "--k", "10"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.StartsWith("kNN (τ 0.1) on fashion-mnist (bank: first 256 training images, queries: first 64 test images)", r.StdoutLines[0]);
        Assert.Matches(@"^width\s+F\(w\)\s+MACs\s+k=10$", r.StdoutLines[1]);
        Assert.Matches(@"^0\.50\s+128\s+\d+\.\dM\s+0\.\d{4}$", r.StdoutLines[2]);
        Assert.Contains("knn [", r.Stderr);
        Assert.Contains("100%", r.Stderr);
    }

    [Fact]
    public void ACheckpointOfTheBackboneLoadsWithOrWithoutThePrefix()
    {
        using var dir = new TempDirectory();
        using var model = ModelRegistry.Create("us_resnet10_mini", ModelRegistry.MiniOptions() with { Seed = 7 });
        var state = model.state_dict();
        var prefixed = state.ToDictionary(p => "backbone." + p.Key, p => p.Value);
        using var extra = torch.zeros(3);
        prefixed["projector.0.weight"] = extra; // other modules' tensors are ignored
        var plainPath = Path.Combine(dir.Path, "plain.safetensors");
        var prefixedPath = Path.Combine(dir.Path, "prefixed.safetensors");
        Safetensors.Save(plainPath, state);
        Safetensors.Save(prefixedPath, prefixed);

        double Top1(params string[] source) =>
            JsonLines(CliRunner.Run(Args(new[] { "knn", "--widths", "0.75", "--k", "5", "--json" }.Concat(source).ToArray())))[0].GetProperty("top1").GetDouble();
        var random = Top1("--random-init", "--seed", "7");
        Assert.Equal(random, Top1("--checkpoint", plainPath));
        Assert.Equal(random, Top1("--checkpoint", prefixedPath));
    }

    [Fact]
    public void CalibratedCheckpointsGiveTheSameAccuracyWithoutRecalibration()
    {
        using var dir = new TempDirectory();
        var calibrated = CliRunner.Run(Args("calibrate", "--random-init", "--seed", "1", "--widths", "0.5,0.25", "--out", dir.Path));
        Assert.True(calibrated.ExitCode == 0, calibrated.Stderr);
        Assert.Equal(2, calibrated.StdoutLines.Length);
        var file = Path.Combine(dir.Path, "us_resnet10_mini-w0.5.safetensors");
        var (_, meta) = Safetensors.ReadHeader(file);
        Assert.Equal(("us_resnet10_mini", "0.5"), (meta["arch"], meta["calibrated_width"]));

        var fresh = JsonLines(CliRunner.Run(Args("knn", "--random-init", "--seed", "1", "--widths", "0.5", "--k", "5", "--json")))[0];
        var stored = JsonLines(CliRunner.Run(Args("knn", "--checkpoint", file, "--no-calibrate", "--widths", "0.5", "--k", "5", "--json")))[0];
        Assert.Equal(fresh.GetProperty("top1").GetDouble(), stored.GetProperty("top1").GetDouble());
        Assert.True(stored.GetProperty("bn_calibrated").GetBoolean());
        Assert.Equal(0, stored.GetProperty("calibration_batches").GetInt32());
    }

    [Fact]
    public void ExportWritesTheFixedWidthNetwork()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "sub", "w050.safetensors");
        var r = CliRunner.Run(Args("export", "--random-init", "--width", "0.5", "--out", path));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.StartsWith($"wrote {path}: us_resnet10_mini at width 0.5, 128 features", r.Stdout);
        var (tensors, meta) = Safetensors.ReadHeader(path);
        Assert.Equal(("us_resnet10_mini", "0.5", "128"), (meta["arch"], meta["width"], meta["feature_dim"]));
        Assert.Equal(new long[] { 16, 1, 3, 3 }, tensors.Single(t => t.name == "conv1.weight").shape);
        Assert.Equal(new long[] { 16 }, tensors.Single(t => t.name == "bn1.running_mean").shape);
    }

    [Fact]
    public void LinearProbePrintsItsSettings()
    {
        var rows = JsonLines(CliRunner.Run(Args("linear", "--random-init", "--widths", "0.25", "--epochs", "20", "--probe-batch-size", "64", "--json")));
        var row = Assert.Single(rows);
        Assert.Equal(("linear", 20, 0.25), (row.GetProperty("method").GetString(), row.GetProperty("probe_epochs").GetInt32(), row.GetProperty("width").GetDouble()));
        // 80 steps fit the probe's 256 standardised training features well above chance (0.1).
        var train = row.GetProperty("train_top1").GetDouble();
        Assert.Equal(Math.Round(train * 256), train * 256, 9);
        Assert.True(train > 0.5, $"probe training top-1 {train} is near chance");
        Assert.Equal("quick", row.GetProperty("protocol").GetString());
    }

    [Theory]
    [InlineData("error: --checkpoint: file not found: /nowhere/missing.safetensors", "knn", "--checkpoint", "/nowhere/missing.safetensors")]
    [InlineData("error: --widths: 0.1 is outside us_resnet10_mini's trained range [0.25, 1.0].", "knn", "--random-init", "--widths", "0.1")]
    [InlineData("error: --widths: '1.5' is not a width in (0, 1]; expected e.g. 1.0,0.5,0.25", "linear", "--random-init", "--widths", "1.5")]
    [InlineData("error: give exactly one of --checkpoint FILE and --random-init.", "export", "--width", "0.5", "--out", "x.safetensors")]
    [InlineData("error: --no-calibrate needs BN running statistics in the checkpoint (write one with us3l calibrate), or drop --no-calibrate.", "knn", "--random-init", "--no-calibrate")]
    [InlineData("error: --k 300 needs at least 300 training images; the bank has 256 (raise --train-subset).", "knn", "--random-init", "--k", "300")]
    public void ErrorsAreOneLine(string expected, params string[] args)
    {
        var r = CliRunner.Run(Args(args));
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(expected, r.Stderr.Trim());
    }

    [Fact]
    public void AnUnknownArchitectureListsTheValidOnes()
    {
        var r = CliRunner.Run("knn", "--random-init", "--arch", "resnet9");
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("error: --arch: unknown architecture 'resnet9'; expected one of us_cifar_resnet18,", r.Stderr.Trim());
        Assert.DoesNotContain('\n', r.Stderr.Trim());
    }

    [Fact]
    public void ACheckpointOfAnotherArchitectureIsRefusedInOneLine()
    {
        using var dir = new TempDirectory();
        using var other = ModelRegistry.Create("us_cifar_resnet18", new ModelOptions { InChannels = 1 });
        var path = Path.Combine(dir.Path, "r18.safetensors");
        Safetensors.Save(path, other.state_dict());
        var r = CliRunner.Run(Args("knn", "--checkpoint", path));
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith($"error: {path}: does not fit us_resnet10_mini (", r.Stderr.Trim());
        Assert.DoesNotContain('\n', r.Stderr.Trim());
        File.WriteAllText(path, "not a checkpoint");
        var corrupt = CliRunner.Run(Args("knn", "--checkpoint", path));
        Assert.StartsWith($"error: {path}: not a readable safetensors checkpoint (", corrupt.Stderr.Trim());
    }
}
