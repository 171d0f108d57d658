using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using US3L.Config;
using US3L.Models;
using US3L.Torch;
using US3L.Training;

namespace US3L.Cli.Bench;

/// <summary>
/// `us3l bench pretrain`: images/s of one US3L iteration per sampler (ours, and the same
/// iterations in PyTorch), with the passes and cost per iteration against science.md 4.2.
/// </summary>
internal static class PretrainBench
{
    public static Command Create()
    {
        var recipe = new Option<string>("--recipe") { Description = "Recipe of the network and step", DefaultValueFactory = _ => "fashion-mnist-us3l" };
        var batch = new Option<int>("--batch") { Description = "Images per iteration", DefaultValueFactory = _ => 256 };
        var perPhase = new Option<int>("--iterations") { Description = "Timed iterations per phase (4 phases)", DefaultValueFactory = _ => 2 };
        var noPyTorch = new Option<bool>("--no-pytorch") { Description = "Skip the PyTorch comparison" };
        var command = new Command("pretrain", "US3L iteration per sampler: images/s (ours vs PyTorch), passes and cost per iteration")
        {
            recipe, batch, perPhase, noPyTorch, PretrainCommand.Set,
        };
        command.SetAction(parse =>
        {
            var overrides = (parse.GetValue(PretrainCommand.Set) ?? Array.Empty<string>())
                .Prepend($"batch_size={parse.GetValue(batch).ToString(CultureInfo.InvariantCulture)}");
            var config = RecipeLoader.Load(parse.GetValue(recipe)!, "short", overrides);
            foreach (var (label, c) in PretrainBenchmark.Samplers(config))
            {
                var r = PretrainBenchmark.Measure(label, c, parse.GetValue(perPhase));
                double? reference = parse.GetValue(noPyTorch) || !c.Arch.Equals("us_resnet10_mini", StringComparison.Ordinal)
                    ? null : PyTorchImagesPerSecond(c, r);
                var line = new JsonObject
                {
                    ["bench"] = "us3l_iteration", ["sampler"] = label, ["arch"] = c.Arch, ["batch"] = c.BatchSize,
                    ["ours_img_s"] = Math.Round(r.ImagesPerSecond, 1),
                    ["pytorch_img_s"] = reference is null ? null : Math.Round(reference.Value, 1),
                    ["ratio"] = reference is null ? null : Math.Round(r.ImagesPerSecond / reference.Value, 3),
                    ["passes_per_iter"] = Math.Round(r.PassesPerIteration, 3), ["expected_passes"] = Math.Round(r.ExpectedPasses, 3),
                    ["cost_w2_per_iter"] = Math.Round(r.CostPerIteration, 3), ["expected_cost_w2"] = Math.Round(r.ExpectedCost, 3),
                    ["backbone_macs_per_image"] = Math.Round(r.MacsPerImage),
                };
                Console.WriteLine(line.ToJsonString());
            }
        });
        return command;
    }

    /// <summary>The same iterations, on the very widths ours ran, in PyTorch (Bench/pretrain_bench_pytorch.py); null when PyTorch is missing.</summary>
    private static double? PyTorchImagesPerSecond(PretrainConfig c, PretrainStepThroughput ours)
    {
        var widthsFile = Path.GetTempFileName();
        try
        {
            File.WriteAllText(widthsFile, JsonSerializer.Serialize(ours.Widths));
            var inv = CultureInfo.InvariantCulture;
            return PyTorchReference.ImagesPerSecond("pretrain_bench_pytorch.py", new[]
            {
                "--widths-file", widthsFile, "--batch", c.BatchSize.ToString(inv), "--stage-widths", string.Join(",", ModelRegistry.MiniWidths(c.Divisor)),
                "--divisor", c.Divisor.ToString(inv), "--hidden", c.ProjectorHidden.ToString(inv), "--out", c.ProjectorOut.ToString(inv),
                "--pred-hidden", c.PredictorHidden.ToString(inv), "--threads", torch.get_num_threads().ToString(inv), "--device", c.Device,
            });
        }
        finally
        {
            File.Delete(widthsFile);
        }
    }
}
