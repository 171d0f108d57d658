using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using US3L.Bench;
using US3L.Config;
using US3L.Models;
using US3L.Training;

namespace US3L.Cli.Bench;

/// <summary>
/// `us3l bench pretrain`: images/s of one US3L iteration per sampler, ours and the same iterations
/// in PyTorch in interleaved rounds (<see cref="InterleavedComparison"/>), with the passes and cost
/// per iteration against science.md 4.2.
/// </summary>
internal static class PretrainBench
{
    public static Command Create()
    {
        var recipe = new Option<string>("--recipe") { Description = "Recipe of the network and step", DefaultValueFactory = _ => "fashion-mnist-us3l" };
        var batch = new Option<int>("--batch") { Description = "Images per iteration", DefaultValueFactory = _ => 256 };
        var perPhase = new Option<int>("--iterations") { Description = "Timed iterations per phase (4 phases) in each slot of a round", DefaultValueFactory = _ => 1 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds per sampler; each runs ours, PyTorch, PyTorch, ours", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed iterations per side before each sampler's rounds", DefaultValueFactory = _ => 2 };
        var threads = BenchThreads.CreateOption();
        var noPyTorch = new Option<bool>("--no-pytorch") { Description = "Skip the PyTorch comparison" };
        var command = new Command("pretrain", "US3L iteration per sampler: images/s (ours vs PyTorch in interleaved rounds), passes and cost per iteration")
        {
            recipe, batch, perPhase, rounds, warmup, threads, noPyTorch, PretrainCommand.Set,
        };
        command.SetAction(parse =>
        {
            var overrides = (parse.GetValue(PretrainCommand.Set) ?? Array.Empty<string>())
                .Prepend($"batch_size={parse.GetValue(batch).ToString(CultureInfo.InvariantCulture)}");
            var config = RecipeLoader.Load(parse.GetValue(recipe)!, "short", overrides);
            var iterations = parse.GetValue(perPhase);
            if (iterations < 1) throw new ArgumentException($"--iterations must be a positive integer, got {iterations}.");
            // A slot runs the round's draws: `iterations` in each of the four phases.
            var plan = ComparisonPlan.Checked(parse.GetValue(rounds), 4 * iterations, parse.GetValue(warmup));
            var threadCount = BenchThreads.Apply(parse.GetValue(threads));
            var compare = !parse.GetValue(noPyTorch) && config.Arch.Equals("us_resnet10_mini", StringComparison.Ordinal);
            PyTorchWorker? reference = null;
            var started = false;
            try
            {
                foreach (var (label, c) in PretrainIterations.Samplers(config))
                {
                    using var ours = new PretrainIterations(c);
                    if (compare && !started)
                    {
                        reference = StartPyTorch(ours, threadCount);
                        started = true;
                    }
                    IReadOnlyList<IReadOnlyList<double>> draws = Array.Empty<IReadOnlyList<double>>();
                    void Prepare(int round) => draws = round == InterleavedComparison.WarmupRound ? ours.DrawWarmup(plan.Warmup) : ours.Draw(iterations);
                    var result = InterleavedComparison.Run(steps => ours.Run(draws.Take(steps)),
                        reference is null ? null : steps => reference.ImagesPerSecond(new JsonObject { ["widths"] = Widths(draws.Take(steps)) }),
                        plan, Prepare);
                    var cost = ours.Cost(label);
                    var line = new JsonObject
                    {
                        ["bench"] = "us3l_iteration", ["sampler"] = label, ["arch"] = c.Arch, ["batch"] = c.BatchSize, ["device"] = c.Device,
                        ["threads"] = threadCount, ["pytorch_threads"] = reference?.Ready["threads"]?.GetValue<int>(),
                        ["iterations_per_slot"] = plan.Steps,
                    };
                    result.WriteTo(line);
                    line["passes_per_iter"] = Math.Round(cost.PassesPerIteration, 3);
                    line["expected_passes"] = Math.Round(cost.ExpectedPasses, 3);
                    line["cost_w2_per_iter"] = Math.Round(cost.CostPerIteration, 3);
                    line["expected_cost_w2"] = Math.Round(cost.ExpectedCost, 3);
                    line["backbone_macs_per_image"] = Math.Round(cost.MacsPerImage);
                    line["load_1m"] = BenchThreads.LoadAverage();
                    Console.WriteLine(line.ToJsonString());
                }
            }
            finally
            {
                reference?.Dispose();
            }
        });
        return command;
    }

    private static JsonArray Widths(IEnumerable<IReadOnlyList<double>> draws) =>
        new(draws.Select(ws => (JsonNode)new JsonArray(ws.Select(w => (JsonNode)JsonValue.Create(w)!).ToArray())).ToArray());

    /// <summary>The same iterations in PyTorch (Bench/pretrain_bench_pytorch.py), one worker for every sampler; null when PyTorch is missing.</summary>
    private static PyTorchWorker? StartPyTorch(PretrainIterations ours, int threads)
    {
        var c = ours.Config;
        var inv = CultureInfo.InvariantCulture;
        return PyTorchWorker.Start("pretrain_bench_pytorch.py", new[]
        {
            "--batch", c.BatchSize.ToString(inv), "--stage-widths", string.Join(",", ModelRegistry.MiniWidths(c.Divisor)),
            "--divisor", c.Divisor.ToString(inv), "--hidden", c.ProjectorHidden.ToString(inv), "--out", c.ProjectorOut.ToString(inv),
            "--pred-hidden", c.PredictorHidden.ToString(inv), "--channels", ours.Channels.ToString(inv), "--side", ours.Side.ToString(inv),
            "--threads", threads.ToString(inv), "--device", c.Device,
        });
    }
}
