using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using US3L.Augmentation;
using US3L.Data;
using US3L.Evaluation;
using US3L.Models;
using US3L.Slimmable;
using US3L.Torch;
using US3L.Torch.Serialization;

namespace US3L.Cli;

/// <summary>
/// `us3l calibrate | knn | linear | export`: per-width BN recalibration (science.md 6.3), kNN and
/// linear-probe evaluation per width (6.4, 8.1) and the width-w export (9 item 34), on a
/// checkpoint or a randomly initialised backbone.
/// </summary>
internal static class EvalCommands
{
    public static IEnumerable<Command> Create() => new[] { Calibrate(), KnnCommand(), LinearCommand.Create(), SemisupCommand.Create(), Export() };

    /// <summary>Options every evaluation command shares.</summary>
    internal sealed class Common
    {
        public readonly WeightOptions Weights = new();
        public readonly DataOptions Data;
        public readonly Option<int> CalibrateBatches = new("--calibrate-batches")
        {
            Description = "Training batches per width for BN recalibration, cumulative average (science.md 6.3)", DefaultValueFactory = _ => 20,
        };
        public readonly Option<bool> NoCalibrate = new("--no-calibrate")
        {
            Description = "Use the checkpoint's BN running statistics as they are (a checkpoint written by us3l calibrate)",
        };

        public Common(Command command, bool calibrationSwitch = true, DataOptions? data = null)
        {
            Data = data ?? new DataOptions();
            Weights.AddTo(command);
            Data.AddTo(command);
            command.Options.Add(CalibrateBatches);
            if (calibrationSwitch) command.Options.Add(NoCalibrate);
        }
    }

    internal static Option<string> WidthsOption(string defaults) =>
        new("--widths") { Description = "Comma-separated widths", DefaultValueFactory = _ => defaults };

    private static Command Calibrate()
    {
        var command = new Command("calibrate",
            "Recalibrate BN per width on training images and save one checkpoint per width (the backbone's state_dict with running statistics)");
        var common = new Common(command, calibrationSwitch: false);
        var widths = WidthsOption("1.0,0.75,0.5,0.25");
        var output = new Option<string>("--out") { Description = "Folder for <arch>-w<width>.safetensors", Required = true };
        command.Options.Add(widths);
        command.Options.Add(output);
        command.SetAction(parse =>
        {
            using var session = Session.Open(parse, common, parse.GetValue(widths)!, forceCalibration: true);
            var folder = parse.GetValue(output)!;
            Directory.CreateDirectory(folder);
            var written = new List<string>();
            using (var progress = new Progress("calibrate", session.Widths.Count * (long)session.CalibrationBatches))
                foreach (var w in session.Widths)
                {
                    progress.Status = $"width {DataOptions.Invariant(w)}";
                    session.Prepare(w, progress);
                    var path = Path.Combine(folder, $"{session.Model.Arch}-w{DataOptions.Invariant(w)}.safetensors");
                    var meta = session.Metadata(w);
                    Safetensors.Save(path, session.Model.state_dict(), meta);
                    written.Add($"wrote {path} (width {DataOptions.Invariant(w)}, {session.CalibrationBatches} batches of {session.BatchSize})");
                }
            foreach (var line in written) Console.WriteLine(line);
        });
        return command;
    }

    private static Command KnnCommand()
    {
        var command = new Command("knn", "Weighted kNN top-1 per width on frozen features, after BN recalibration (science.md 2.2, 8.1)");
        var common = new Common(command);
        var widths = WidthsOption("1.0,0.75,0.5,0.25");
        var k = new Option<string>("--k") { Description = "Neighbours; several as a list (one neighbour search answers all)", DefaultValueFactory = _ => "20,200" };
        var temperature = new Option<double>("--temperature") { Description = "Vote temperature τ", DefaultValueFactory = _ => 0.1 };
        var json = new Option<bool>("--json") { Description = "One JSON object per result (with its protocol) instead of a table" };
        var results = new Option<string?>("--results") { Description = "Also append the JSON lines to this file" };
        foreach (var o in new Option[] { widths, k, temperature, json, results }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var t = parse.GetValue(temperature);
            if (!(t > 0) || !double.IsFinite(t)) throw new ArgumentException($"--temperature must be a positive number, got {t}.");
            var knn = ParseKs(parse.GetValue(k)!).Select(kk => new KnnOptions(kk, t)).ToArray();
            using var session = Session.Open(parse, common, parse.GetValue(widths)!);
            foreach (var o in knn)
                if (o.K > session.Train.Count)
                    throw new ArgumentException($"--k {o.K} needs at least {o.K} training images; the bank has {session.Train.Count} (raise --train-subset).");
            var points = session.Sweep("knn", new WidthSweepOptions(session.Protocol) { Knn = knn });
            var rows = points.SelectMany(p => p.Knn).ToList();
            Report(session, rows, parse.GetValue(json), parse.GetValue(results), () =>
            {
                Console.WriteLine($"kNN (τ {t.ToString(CultureInfo.InvariantCulture)}) {session.Header}");
                Console.WriteLine($"{"width",6}  {"F(w)",5}  {"MACs",8}" + string.Concat(knn.Select(o => $"  {"k=" + o.K,7}")));
                foreach (var p in points)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Width,6:0.00#}  {p.FeatureDim,5}  {Macs(p.Macs),8}")
                        + string.Concat(p.Knn.Select(r => string.Create(CultureInfo.InvariantCulture, $"  {r.Top1,7:0.0000}"))));
            });
        });
        return command;
    }

    private static Command Export()
    {
        var command = new Command("export",
            "Slice the backbone at one width into a plain fixed-width network (torchvision names, BN calibrated at that width), for detection and transfer");
        var common = new Common(command);
        var width = new Option<double>("--width") { Description = "The width to export", Required = true };
        var output = new Option<string>("--out") { Description = "Output .safetensors file", Required = true };
        command.Options.Add(width);
        command.Options.Add(output);
        command.SetAction(parse =>
        {
            var w = parse.GetValue(width);
            var path = parse.GetValue(output)!;
            if (!path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"--out must name a .safetensors file, got '{path}'.");
            using var session = Session.Open(parse, common, w.ToString("R", CultureInfo.InvariantCulture));
            using (var progress = new Progress("export", Math.Max(1, session.CalibrationBatches)))
                session.Prepare(w, progress);
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
            WidthExporter.Save(session.Model, w, path);
            var dim = session.Model.FeatureDim(w);
            Console.WriteLine($"wrote {path}: {session.Model.Arch} at width {DataOptions.Invariant(w)}, {dim} features, " +
                              (session.Calibrate ? $"BN calibrated on {session.CalibrationBatches} batches of {session.BatchSize}" : "BN statistics from the checkpoint"));
        });
        return command;
    }

    internal static void Report(Session session, IReadOnlyList<EvalResult> rows, bool json, string? resultsPath, Action table)
    {
        var lines = rows.Select(r => session.Json(r)).ToList();
        if (json) foreach (var line in lines) Console.WriteLine(line);
        else table();
        if (resultsPath is not null)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(resultsPath));
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
            File.AppendAllLines(resultsPath, lines);
        }
    }

    private static int[] ParseKs(string text)
    {
        var ks = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            ks.Add(int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var k) && k > 0
                ? k : throw new ArgumentException($"--k: '{part}' is not a positive integer; expected e.g. 20 or 20,200."));
        return ks.Count > 0 ? ks.ToArray() : throw new ArgumentException("--k: give at least one k, e.g. 20.");
    }

    internal static string Macs(long? macs) => macs is { } m
        ? (m >= 1_000_000_000 ? (m / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + "G" : (m / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + "M")
        : "-";

    /// <summary>A loaded backbone with its data, calibration settings and protocol, for one command.</summary>
    internal sealed class Session : IDisposable
    {
        private readonly BackboneEvaluation evaluation;
        private readonly IReadOnlyDictionary<string, string> checkpointMeta;
        private readonly string weights;

        private Session(SlimmableNetwork model, InMemoryImageDataset train, InMemoryImageDataset test, IReadOnlyList<double> widths,
            int batchSize, bool calibrate, int calibrationBatches, IReadOnlyDictionary<string, string> meta, string weights, string dataset, long seed)
        {
            Model = model;
            Train = train;
            Test = test;
            Widths = widths;
            BatchSize = batchSize;
            Calibrate = calibrate;
            checkpointMeta = meta;
            this.weights = weights;
            Dataset = dataset;
            Seed = seed;
            evaluation = new BackboneEvaluation(model, train, test, batchSize, calibrate ? calibrationBatches : 0);
            CalibrationBatches = evaluation.CalibrationBatches;
        }

        public SlimmableNetwork Model { get; }
        public InMemoryImageDataset Train { get; }
        public InMemoryImageDataset Test { get; }
        public IReadOnlyList<double> Widths { get; }
        public int BatchSize { get; }
        public bool Calibrate { get; }
        public int CalibrationBatches { get; }
        public string Dataset { get; }
        public long Seed { get; }

        /// <summary>
        /// BN counts as calibrated when it is recalibrated here, when the network has none (the
        /// US-ViT), or when the checkpoint says it was calibrated at the one width evaluated.
        /// </summary>
        public EvalProtocol Protocol => new(Dataset, Calibrate || !evaluation.HasBatchNorm || Widths.All(CalibratedInCheckpoint), Seed,
            checkpointMeta.TryGetValue("profile", out var profile) ? profile : null);

        public string Header =>
            $"on {Dataset} (bank: first {Train.Count} training images, queries: first {Test.Count} test images), {Model.Arch} {weights}, " +
            (!evaluation.HasBatchNorm ? "no BatchNorm to recalibrate"
                : Calibrate ? $"BN recalibrated per width ({CalibrationBatches} batches of {BatchSize}, cumulative average)" : "BN statistics from the checkpoint");

        public static Session Open(ParseResult parse, Common common, string widthText, bool forceCalibration = false)
        {
            var widths = BenchCommands.ParseWidths(widthText);
            var calibrate = forceCalibration || !parse.GetValue(common.NoCalibrate);
            var calibrationBatches = calibrate ? DataOptions.Positive(parse.GetValue(common.CalibrateBatches), "--calibrate-batches") : 0;
            var batch = common.Data.Batch(parse);
            var (train, test) = common.Data.Load(parse);
            var model = common.Weights.Build(parse, train.Channels, out var meta);
            try
            {
                foreach (var w in widths)
                    if (!model.TrainedRange.Contains(w))
                        throw new ArgumentException($"--widths: {DataOptions.Invariant(w)} is outside {model.Arch}'s trained range {model.TrainedRange}.");
                    else if (!model.Supports(w))
                        throw new ArgumentException($"--widths: {Refusal(model, w)}");
                if (!calibrate && !WeightOptions.HasRunningStats(model))
                    throw new ArgumentException("--no-calibrate needs BN running statistics in the checkpoint (write one with us3l calibrate), or drop --no-calibrate.");
                return new Session(model, train, test, widths, batch, calibrate, calibrationBatches, meta,
                    common.Weights.Describe(parse), parse.GetValue(common.Data.Dataset)!, parse.GetValue(common.Weights.Seed));
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }

        private static string Refusal(SlimmableNetwork model, double width)
        {
            try
            {
                model.CheckWidth(width);
                return $"{width} is refused by {model.Arch}.";
            }
            catch (ArgumentOutOfRangeException e)
            {
                return e.Message;
            }
        }

        /// <summary>Sets width <paramref name="width"/>, recalibrating BN unless the checkpoint's statistics are used.</summary>
        public void Prepare(double width, Progress progress) => evaluation.Prepare(width, () => progress.Advance());

        /// <summary>Per width: recalibrate (or set the width), extract train and test features, then kNN and the probe.</summary>
        public IReadOnlyList<WidthPoint> Sweep(string label, WidthSweepOptions options)
        {
            using var progress = new Progress(label, (long)evaluation.StepsPerWidth * Widths.Count);
            return evaluation.Sweep(Widths, options, w => progress.Status = $"width {DataOptions.Invariant(w)}", () => progress.Advance());
        }

        /// <summary>The metadata of a calibrated checkpoint of width <paramref name="width"/>.</summary>
        public Dictionary<string, string> Metadata(double width) => new()
        {
            ["arch"] = Model.Arch,
            ["calibrated_width"] = width.ToString("R", CultureInfo.InvariantCulture),
            ["calibration_batches"] = CalibrationBatches.ToString(CultureInfo.InvariantCulture),
            ["calibration_batch_size"] = BatchSize.ToString(CultureInfo.InvariantCulture),
            ["dataset"] = Dataset,
            ["weights"] = weights,
            ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
        };

        /// <summary>A result as one JSON line: the protocol of <see cref="ResultsFile"/> plus arch, weights and calibration.</summary>
        public string Json(EvalResult result)
        {
            var node = JsonNode.Parse(ResultsFile.ToJson(result))!.AsObject();
            node["arch"] = Model.Arch;
            node["weights"] = weights;
            node["calibration_batches"] = CalibrationBatches;
            node["calibration_batch_size"] = Calibrate ? BatchSize : null;
            return node.ToJsonString();
        }

        private bool CalibratedInCheckpoint(double width) =>
            checkpointMeta.TryGetValue("calibrated_width", out var text) &&
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var w) && Math.Abs(w - width) < 1e-9;

        public void Dispose()
        {
            Model.Dispose();
            evaluation.Dispose();
        }
    }
}
