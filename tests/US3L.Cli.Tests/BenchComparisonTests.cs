using System.Text.Json;

namespace US3L.Cli.Tests;

/// <summary>
/// The benchmarks that compare with PyTorch, end to end on tiny settings: both sides run in
/// interleaved rounds against one long-running PyTorch worker with the same thread count, and each
/// line reports medians, ranges and the median per-round ratio. (What the numbers are is not tested.)
/// </summary>
[Collection(CpuHeavyCollection.Name)]
public class BenchComparisonTests
{
    private static JsonElement[] Lines(string output) =>
        output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToArray();

    private static void AssertComparison(JsonElement line, int rounds)
    {
        Assert.Equal(rounds, line.GetProperty("rounds").GetInt32());
        Assert.Equal(1, line.GetProperty("threads").GetInt32());
        Assert.Equal(1, line.GetProperty("pytorch_threads").GetInt32());
        foreach (var side in new[] { "ours", "pytorch" })
        {
            var median = line.GetProperty(side + "_img_s").GetDouble();
            var range = line.GetProperty(side + "_range").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.True(median > 0 && range[0] <= median && median <= range[1], line.ToString());
        }
        var ratio = line.GetProperty("ratio").GetDouble();
        var ratios = line.GetProperty("ratio_range").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.True(ratios[0] <= ratio && ratio <= ratios[1], line.ToString());
    }

    [Fact]
    public void Bench_engine_compares_each_width_in_rounds()
    {
        var (code, output) = CliProcess.Run(CliProcess.RepoRoot, "bench", "engine", "--widths", "0.25", "--batch", "4",
            "--rounds", "3", "--steps", "1", "--warmup", "1", "--threads", "1");
        Assert.True(code == 0, output);
        var step = Assert.Single(Lines(output), l => l.GetProperty("bench").GetString() == "resnet18_cifar_train_step");
        Assert.Equal(0.25, step.GetProperty("width").GetDouble());
        Assert.Equal(1, step.GetProperty("steps_per_slot").GetInt32());
        AssertComparison(step, rounds: 3);
    }

    [Fact]
    public void Bench_pretrain_compares_each_sampler_in_rounds_on_the_same_widths()
    {
        // Synthetic 32x32 RGB images: the PyTorch side builds its network for the kit's channels and size.
        var (code, output) = CliProcess.Run(CliProcess.RepoRoot, "bench", "pretrain", "--batch", "8", "--rounds", "2", "--iterations", "1",
            "--warmup", "1", "--threads", "1", "--set", "dataset=synthetic", "--set", "augmentation=cifar", "--set", "train_subset=16",
            "--set", "projector_hidden=16", "--set", "projector_out=8", "--set", "predictor_hidden=16");
        Assert.True(code == 0, output);
        var lines = Lines(output);
        Assert.Equal(new[] { "sandwich-3", "sandwich-4", "dynamic-a", "uniform-3" }, lines.Select(l => l.GetProperty("sampler").GetString()));
        foreach (var line in lines)
        {
            AssertComparison(line, rounds: 2);
            Assert.Equal(4, line.GetProperty("iterations_per_slot").GetInt32());
        }
        // Sandwich n trains n widths in every iteration.
        Assert.Equal(3.0, lines[0].GetProperty("passes_per_iter").GetDouble());
        Assert.Equal(4.0, lines[1].GetProperty("passes_per_iter").GetDouble());
    }

    [Fact]
    public void Bench_detect_compares_the_mask_rcnn_train_step_in_rounds()
    {
        // The smallest detector that is still torchvision's: 64x64 images, 32 sampled proposals per image, one round.
        var (code, output) = CliProcess.Run(CliProcess.RepoRoot, "bench", "detect", "--arch", "us_resnet18", "--widths", "0.5", "--size", "64",
            "--rois", "32", "--rounds", "1", "--steps", "1", "--warmup", "0", "--threads", "1");
        Assert.True(code == 0, output);
        var step = Assert.Single(Lines(output));
        Assert.Equal("maskrcnn_fpn_train_step", step.GetProperty("bench").GetString());
        Assert.Equal(0.5, step.GetProperty("width").GetDouble());
        Assert.Equal(2, step.GetProperty("batch").GetInt32());
        Assert.Equal("64x64", step.GetProperty("image").GetString());
        Assert.Equal(32, step.GetProperty("rois_per_image").GetInt32());
        Assert.Equal(1, step.GetProperty("steps_per_slot").GetInt32());
        AssertComparison(step, rounds: 1);
    }
}
