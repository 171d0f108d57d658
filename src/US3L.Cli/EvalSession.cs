using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using US3L.Data;
using US3L.Evaluation;
using US3L.Models;

namespace US3L.Cli;

/// <summary>A loaded backbone with its data, calibration settings and protocol, for one command.</summary>
internal sealed class EvalSession : IDisposable
{
    private readonly BackboneEvaluation evaluation;
    private readonly IReadOnlyDictionary<string, string> checkpointMeta;
    private readonly string weights;

    private EvalSession(SlimmableNetwork model, InMemoryImageDataset train, InMemoryImageDataset test, IReadOnlyList<double> widths,
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

    public static EvalSession Open(ParseResult parse, EvalOptions common, string widthText, bool forceCalibration = false)
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
            return new EvalSession(model, train, test, widths, batch, calibrate, calibrationBatches, meta,
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
