using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using US3L.Evaluation;

namespace US3L.Cli;

/// <summary>
/// `us3l linear`: linear evaluation per width under one of two named protocols. <c>quick</c> is the
/// CPU probe of science.md 8.1 (BN recalibrated on a few batches, features computed once,
/// standardised, no augmentation); <c>reference</c> is the official code's protocol of science.md
/// 6.7 (BN recalibrated for whole epochs, augmented batches through the frozen backbone at every
/// step, SGD lr 30 or LARS), at the length of <c>--profile</c>.
/// </summary>
internal static class LinearCommand
{
    public static Command Create()
    {
        var command = new Command("linear",
            "Linear evaluation per width: --protocol quick (probe on frozen features, science.md 8.1) or reference (the official code's, science.md 6.7)");
        var common = new EvalOptions(command);
        var widths = EvalOptions.Widths("1.0,0.75,0.5,0.25");
        var protocol = new Option<string>("--protocol")
        {
            Description = "quick: standardised frozen features, no augmentation, cosine SGD; reference: BN calibrated for epochs, augmented batches, SGD lr 30 multistep (CIFAR) or LARS lr 0.8 cosine (ImageNet)",
            DefaultValueFactory = _ => "quick",
        };
        var profile = new Option<string>("--profile")
        {
            Description = "Length of the reference protocol: smoke, short or full (the reference's own numbers)", DefaultValueFactory = _ => "short",
        };
        var epochs = new Option<int?>("--epochs") { Description = "Probe epochs (quick: 20; reference: the profile's)" };
        var lr = new Option<double?>("--lr") { Description = "Learning rate (quick: 0.1 on standardised features; reference: 30 CIFAR, 0.8 ImageNet)" };
        var probeBatch = new Option<int?>("--probe-batch-size") { Description = "Probe mini-batch size (quick: 256; reference: the profile's)" };
        var json = new Option<bool>("--json") { Description = "One JSON object per result (with its protocol) instead of a table" };
        var results = new Option<string?>("--results") { Description = "Also append the JSON lines to this file" };
        foreach (var o in new Option[] { widths, protocol, profile, epochs, lr, probeBatch, json, results }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var name = parse.GetValue(protocol)!;
            var given = (Epochs: parse.GetValue(epochs), Lr: parse.GetValue(lr), Batch: parse.GetValue(probeBatch));
            if (given.Epochs is { } e) DataOptions.Positive(e, "--epochs");
            if (given.Batch is { } b) DataOptions.Positive(b, "--probe-batch-size");
            if (given.Lr is { } rate && !(rate > 0 && double.IsFinite(rate))) throw new ArgumentException($"--lr must be positive, got {rate}.");
            switch (name)
            {
                case "quick":
                    Quick(parse, common, parse.GetValue(widths)!, given, parse.GetValue(json), parse.GetValue(results));
                    break;
                case "reference":
                    var options = ReferenceLinearOptions.For(parse.GetValue(common.Data.Dataset)!, EvalProfiles.Check(parse.GetValue(profile)!),
                        parse.GetValue(common.Weights.Seed));
                    options = options with
                    {
                        Epochs = given.Epochs ?? options.Epochs, LearningRate = given.Lr ?? options.LearningRate, BatchSize = given.Batch ?? options.BatchSize,
                    };
                    if (given.Epochs is not null && options.Schedule == ProbeSchedule.MultiStep)
                        options = options with { Milestones = EvalProfiles.Milestones(options.Epochs) };
                    Reference(parse, common, parse.GetValue(widths)!, options, parse.GetValue(json), parse.GetValue(results));
                    break;
                default:
                    throw new ArgumentException($"--protocol: unknown protocol '{name}'; expected quick or reference.");
            }
        });
        return command;
    }

    private static void Quick(ParseResult parse, EvalOptions common, string widths, (int? Epochs, double? Lr, int? Batch) given,
        bool json, string? results)
    {
        var probe = new LinearProbeOptions(Epochs: given.Epochs ?? 20, BatchSize: given.Batch ?? 256, LearningRate: given.Lr ?? 0.1,
            Seed: parse.GetValue(common.Weights.Seed));
        using var session = EvalSession.Open(parse, common, widths);
        var points = session.Sweep("linear", new WidthSweepOptions(session.Protocol) { Knn = new[] { new KnnOptions(Math.Min(20, session.Train.Count)) }, Linear = probe });
        var rows = points.Select(p => p.Linear!).ToList();
        EvalOutput.Report(session, rows, json, results, () =>
        {
            Console.WriteLine($"linear probe, quick protocol ({probe.Epochs} epochs, lr {probe.LearningRate.ToString(CultureInfo.InvariantCulture)}, cosine, standardised) {session.Header}");
            Console.WriteLine($"{"width",6}  {"F(w)",5}  {"MACs",8}  {"test",7}  {"train",7}");
            foreach (var p in points)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{p.Width,6:0.00#}  {p.FeatureDim,5}  {EvalOutput.Macs(p.Macs),8}  {p.Linear!.Top1,7:0.0000}  {p.Linear.TrainTop1,7:0.0000}"));
        });
    }

    private static void Reference(ParseResult parse, EvalOptions common, string widths, ReferenceLinearOptions options,
        bool json, string? results)
    {
        using var session = EvalSession.Open(parse, common, widths);
        // --no-calibrate: the checkpoint's statistics (a `us3l calibrate` file, or an S-Net's tracked ones), as the reference's CALIBRATE_BN false.
        if (!session.Calibrate) options = options with { CalibrationEpochs = 0, CalibrationBatches = null };
        var rows = new List<EvalResult>();
        var lines = new List<string>();
        using (var progress = new Progress("linear", options.BatchesPerWidth(session.Train.Count, session.Test.Count) * session.Widths.Count))
            foreach (var w in session.Widths)
            {
                progress.Status = $"width {DataOptions.Invariant(w)}";
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var r = ReferenceLinearEval.Run(session.Model, w, session.Train, session.Test, options, () => progress.Advance());
                var row = EvalResult.FromReferenceLinear(r, session.Protocol, session.Model.Cost(w, session.Train.Height).Macs, clock.Elapsed.TotalSeconds);
                rows.Add(row);
                var node = JsonNode.Parse(session.Json(row))!.AsObject();
                node["calibration_batches"] = r.CalibrationBatches;
                node["calibration_batch_size"] = r.CalibrationBatches > 0 ? options.CalibrationBatchSize : null;
                node["validations"] = new JsonArray(r.Validations.Select(v => (JsonNode)new JsonObject { ["epoch"] = v.Epoch, ["top1"] = v.Top1 }).ToArray());
                lines.Add(node.ToJsonString());
            }
        if (json) foreach (var line in lines) Console.WriteLine(line);
        else
        {
            var o = options;
            var schedule = o.Schedule == ProbeSchedule.MultiStep ? $"x0.1 at epochs {string.Join(", ", o.Milestones)}" : "cosine";
            var calibration = !session.Calibrate ? "BN statistics from the checkpoint"
                : o.CalibrationBatches is { } n ? $"BN calibrated on {n} batches of {o.CalibrationBatchSize} ({o.CalibrationAugmentation})"
                : $"BN calibrated by {o.CalibrationEpochs} pass(es) in batches of {o.CalibrationBatchSize} ({o.CalibrationAugmentation})";
            Console.WriteLine($"linear, reference protocol ({o.Setting} setting, profile {o.Profile}: {o.Epochs} epochs, batch {o.BatchSize}, " +
                $"{o.Optimizer.ToString().ToUpperInvariant()} lr {o.LearningRate.ToString(CultureInfo.InvariantCulture)} {schedule}, augmentation {o.TrainAugmentation}; {calibration}) " +
                $"on {session.Dataset} (first {session.Train.Count} training images, first {session.Test.Count} test images), {session.Model.Arch}");
            Console.WriteLine($"{"width",6}  {"F(w)",5}  {"MACs",8}  {"test",7}  {"train",7}");
            foreach (var r in rows)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Width,6:0.00#}  {r.FeatureDim,5}  {EvalOutput.Macs(r.Macs),8}  {r.Top1,7:0.0000}  {r.TrainTop1,7:0.0000}"));
        }
        if (results is not null)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(results));
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
            File.AppendAllLines(results, lines);
        }
    }
}
