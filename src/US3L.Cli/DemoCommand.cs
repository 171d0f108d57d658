using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using US3L.Config;
using US3L.Data;
using US3L.Evaluation;
using US3L.Models;
using US3L.Slimmable;
using US3L.Torch;
using US3L.Training;

namespace US3L.Cli;

/// <summary>
/// `us3l demo`: the kit's main job on the embedded default data. US3L pretraining of the mini
/// US-ResNet on Fashion-MNIST, then BN recalibration, kNN and a linear probe at widths 1.0, 0.75,
/// 0.5 and 0.25 next to a randomly initialised network of the same architecture; a table,
/// summary.json and report.html in the run folder. The last output line is "run: PATH".
/// </summary>
internal static class DemoCommand
{
    private const string Recipe = "fashion-mnist-us3l";
    private static readonly double[] Widths = { 1.0, 0.75, 0.5, 0.25 };

    /// <summary>Evaluation sizes per profile: kNN bank / probe training images, test queries, probe epochs.</summary>
    private static (int Train, int Test, int ProbeEpochs) EvalSizes(string? profile) => profile switch
    {
        "smoke" => (1024, 512, 5),
        "full" => (60_000, 10_000, 30),
        _ => (10_000, 5_000, 20),
    };

    public static Command Create()
    {
        var output = new Option<string?>("--out") { Description = "Run folder (default: runs/demo-<profile>-<time>)" };
        var command = new Command("demo", $"Pretrain US3L on Fashion-MNIST ({Recipe}), then evaluate per width against a random network")
        {
            PretrainCommand.Profile, PretrainCommand.Set, output,
        };
        command.SetAction(parse =>
        {
            var resolved = RecipeLoader.Resolve(Recipe, parse.GetValue(PretrainCommand.Profile), parse.GetValue(PretrainCommand.Set) ?? Array.Empty<string>());
            var dir = parse.GetValue(output) ?? PretrainCommand.DefaultRunDir("demo", resolved.Profile);
            var config = resolved.Config;
            Console.WriteLine($"US3L demo: {resolved.Description}");
            Console.WriteLine($"profile {resolved.Profile}: {config.Epochs} epochs on {(config.TrainSubset > 0 ? config.TrainSubset : 60_000)} images, batch {config.BatchSize}, seed {config.Seed}");

            PretrainResult result;
            using (var run = PretrainCommand.StartRun(resolved, dir))
                result = PretrainCommand.TrainWithConsole(run);
            if (result.Interrupted)
            {
                Console.WriteLine($"interrupted; resume the pretraining with ./us3l pretrain --resume {dir}");
                Console.WriteLine($"run: {Path.GetFullPath(dir)}");
                return 130;
            }
            Console.WriteLine($"pretrained in {result.Seconds:F0} s");

            var (trainCount, testCount, probeEpochs) = EvalSizes(resolved.Profile);
            var train = FashionMnist.Load(true, EmptyToNull(config.DataDir), Subset.First(trainCount));
            var test = FashionMnist.Load(false, EmptyToNull(config.DataDir), Subset.First(testCount));
            var protocol = new EvalProtocol("fashion-mnist", BnCalibrated: true, config.Seed, resolved.Profile);
            var options = new WidthSweepOptions(protocol)
            {
                Knn = new[] { new KnnOptions(20, 0.1) },
                Linear = new LinearProbeOptions(Epochs: probeEpochs, Seed: config.Seed),
            };
            const int calibrationBatches = 20;
            var rows = new List<DemoRow>();
            using (var trained = Pretrainer.LoadBackbone(dir))
                rows.AddRange(Evaluate("us3l", trained, train, test, options, calibrationBatches));
            using (var random = RandomBackbone(config))
                rows.AddRange(Evaluate("random_init", random, train, test, options, calibrationBatches));

            var protocolText = $"kNN: k = 20, τ = 0.1, cosine, bank = first {train.Count} training images, queries = first {test.Count} test images; " +
                               $"linear probe: {probeEpochs} epochs of SGD on frozen standardized features of the same images; " +
                               $"BN recalibrated per width on {calibrationBatches} batches of 256 training images (cumulative average); " +
                               $"dataset fashion-mnist, profile {resolved.Profile}, seed {config.Seed}.";
            PrintTable(rows);
            Console.WriteLine(protocolText);
            if (resolved.Profile == "smoke") Console.WriteLine("(smoke profile: a seconds-long check of the pipeline, not a measurement of the method)");
            WriteSummary(dir, resolved.Profile, config.Seed, rows, protocolText);
            DemoReport.Write(Path.Combine(dir, "report.html"), resolved, rows, protocolText);
            Console.WriteLine($"run: {Path.GetFullPath(dir)}");
            return 0;
        });
        return command;
    }

    internal sealed record DemoRow(string Model, double Width, long Macs, double KnnTop1, double LinearTop1);

    private static IEnumerable<DemoRow> Evaluate(string label, SlimmableNetwork model, InMemoryImageDataset train, InMemoryImageDataset test,
        WidthSweepOptions options, int calibrationBatches)
    {
        using var evaluation = new BackboneEvaluation(model, train, test, 256, calibrationBatches);
        using var progress = new Progress($"evaluate {label}", (long)evaluation.StepsPerWidth * Widths.Length);
        var points = evaluation.Sweep(Widths, options, w => progress.Status = $"width {w.ToString("0.##", CultureInfo.InvariantCulture)}",
            () => progress.Advance());
        return points.Select(p => new DemoRow(label, p.Width, p.Macs ?? 0, p.KnnTop1, p.LinearTop1 ?? double.NaN)).ToList();
    }

    /// <summary>The floor of science.md 8.2: the same architecture, randomly initialised from the run's seed.</summary>
    private static SlimmableNetwork RandomBackbone(PretrainConfig config) => ModelRegistry.Create(config.Arch, new ModelOptions
    {
        InChannels = 1, Divisor = config.Divisor, Seed = config.Seed, TrainedRange = new WidthRange(config.WidthMin, config.WidthMax),
    });

    private static void PrintTable(IReadOnlyList<DemoRow> rows)
    {
        Console.WriteLine();
        Console.WriteLine($"{"model",-12} {"width",6} {"MACs",8} {"kNN top-1",10} {"linear top-1",13}");
        foreach (var r in rows)
            Console.WriteLine($"{r.Model,-12} {r.Width,6:0.00} {r.Macs / 1e6,7:0.0}M {r.KnnTop1,10:0.0000} {r.LinearTop1,13:0.0000}");
        Console.WriteLine();
    }

    private static void WriteSummary(string dir, string? profile, long seed, IReadOnlyList<DemoRow> rows, string protocol)
    {
        var summary = new Dictionary<string, object?>
        {
            ["dataset"] = "fashion-mnist",
            ["profile"] = profile,
            ["seed"] = seed,
            ["protocol"] = protocol,
            ["results"] = rows.Select(r => new Dictionary<string, object>
            {
                ["model"] = r.Model, ["width"] = r.Width, ["macs"] = r.Macs, ["knn_top1"] = r.KnnTop1, ["linear_top1"] = r.LinearTop1,
            }).ToList(),
        };
        File.WriteAllText(Path.Combine(dir, "summary.json"), JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
    }

    private static string? EmptyToNull(string s) => s.Length == 0 ? null : s;
}
