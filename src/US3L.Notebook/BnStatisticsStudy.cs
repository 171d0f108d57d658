using System.Text.Json;
using US3L.Evaluation;
using US3L.Models;
using US3L.Slimmable;
using US3L.Torch.nn;

namespace US3L.Notebook;

/// <summary>
/// Where the BatchNorm statistics used at evaluation come from (science.md 6.3 and the practical
/// notes of 8.2): the protocol recalibrates every width, the other sources are the ways of
/// skipping that step, kept to show what skipping it does.
/// </summary>
public enum BnStatisticsSource
{
    /// <summary>Recalibrated at each width on the settings' calibration batches (the protocol, science.md 6.3).</summary>
    RecalibratedPerWidth,
    /// <summary>
    /// Never calibrated: the backbone keeps no running statistics (pre-training stores none), so
    /// every evaluation batch is normalized with its own mean and variance.
    /// </summary>
    TestBatch,
    /// <summary>Running statistics switched on but never calibrated: mean 0 and variance 1 everywhere.</summary>
    Initial,
    /// <summary>
    /// Calibrated once at width 1.0 and reused at every width: a width-w sub-network reads the first
    /// C(w) entries of the full network's statistics, as a shared BN that tracked statistics would.
    /// </summary>
    MaxWidth,
}

/// <summary>
/// Per-width kNN (and probe) of a run with BN statistics from a chosen <see cref="BnStatisticsSource"/>,
/// cached next to the run like <see cref="WidthEvaluation"/> (<c>eval/bn-SOURCE-HASH.json</c>).
/// <code>
/// var stale = BnStatisticsStudy.Evaluate(run, new[] { 0.25, 1.0 }, settings, BnStatisticsSource.MaxWidth);
/// </code>
/// </summary>
public static class BnStatisticsStudy
{
    /// <summary>The run's final backbone evaluated at <paramref name="widths"/> with BN statistics from <paramref name="source"/>.</summary>
    public static WidthAccuracies Evaluate(NotebookRun run, IReadOnlyList<double> widths, EvaluationSettings settings, BnStatisticsSource source,
        IProgress<(int Done, int Total)>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(settings);
        if (source == BnStatisticsSource.RecalibratedPerWidth) return WidthEvaluation.Evaluate(run, widths, settings, progress, ct);
        if (widths is null || widths.Count == 0) throw new ArgumentException("Evaluate at least one width.", nameof(widths));
        foreach (var w in widths)
            if (!(w > 0 && w <= 1)) throw new ArgumentOutOfRangeException(nameof(widths), $"Widths must lie in (0, 1], got {w}.");
        if (source == BnStatisticsSource.MaxWidth && settings.CalibrationBatches < 1)
            throw new ArgumentException("Statistics calibrated at width 1.0 need at least one calibration batch (CalibrationBatches).", nameof(settings));

        var config = run.Config;
        var protocol = Protocol(settings, source, config.Dataset, config.Seed);
        var key = RunStore.Hash(JsonSerializer.Serialize(new { widths, settings = settings with { Profile = null }, config.Seed, source = source.ToString() }));
        var folder = Path.Combine(run.RunDir, "eval");
        var path = Path.Combine(folder, $"bn-{source.ToString().ToLowerInvariant()}-{key}.json");
        if (EvaluationCache.Read<WidthAccuracy>(path) is { } saved)
            return new WidthAccuracies(run.Label, protocol, saved) { FromCache = true };

        var train = WidthEvaluation.Dataset(config, train: true, settings.TrainImages);
        var test = WidthEvaluation.Dataset(config, train: false, settings.TestImages);
        var options = new WidthSweepOptions(new EvalProtocol(config.Dataset, BnCalibrated: false, config.Seed))
        {
            Knn = new[] { new KnnOptions(settings.KnnK, settings.KnnTemperature) },
            Linear = settings.ProbeEpochs is int epochs ? new LinearProbeOptions(Epochs: epochs, Seed: config.Seed) : null,
        };
        List<WidthAccuracy> points;
        using (var backbone = run.LoadBackbone())
        {
            int done = 0, total = 0;
            void Step()
            {
                ct.ThrowIfCancellationRequested();
                progress?.Report((++done, total));
            }
            using (var calibration = new BackboneEvaluation(backbone, train, test, settings.BatchSize, settings.CalibrationBatches))
            using (var evaluation = new BackboneEvaluation(backbone, train, test, settings.BatchSize, calibrationBatches: 0))
            {
                total = evaluation.StepsPerWidth * widths.Count + (source == BnStatisticsSource.MaxWidth ? settings.CalibrationBatches : 0);
                SetStatistics(backbone, source, calibration, Step);
                // Zero calibration batches: each width is only set, so the statistics prepared above are the ones used.
                points = evaluation.Sweep(widths, options, onBatch: Step)
                    .Select(p => new WidthAccuracy(p.Width, p.Macs ?? 0, p.KnnTop1, p.LinearTop1)).ToList();
            }
        }
        EvaluationCache.Write(path, points);
        return new WidthAccuracies(run.Label, protocol, points);
    }

    /// <summary>The protocol sentence: the evaluation's, with where the BN statistics came from.</summary>
    public static string Protocol(EvaluationSettings settings, BnStatisticsSource source, string dataset, long seed) => source switch
    {
        BnStatisticsSource.RecalibratedPerWidth => settings.Describe(dataset, seed),
        BnStatisticsSource.TestBatch => (settings with { CalibrationBatches = 0 }).Describe(dataset, seed)
            + $"; each batch of {settings.BatchSize} images normalized with its own statistics",
        BnStatisticsSource.Initial => (settings with { CalibrationBatches = 0 }).Describe(dataset, seed)
            + "; running statistics at their initial mean 0 and variance 1",
        BnStatisticsSource.MaxWidth => (settings with { CalibrationBatches = 0 }).Describe(dataset, seed)
            + $"; statistics calibrated once at width 1.0 on {settings.CalibrationBatches} batches of {settings.BatchSize} training images and reused at every width",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Unknown BN statistics source."),
    };

    private static void SetStatistics(SlimmableNetwork backbone, BnStatisticsSource source, BackboneEvaluation calibration, Action step)
    {
        var norms = backbone.modules().OfType<BatchNormBase>().ToList();
        if (norms.Count == 0) throw new ArgumentException($"{backbone.Arch} has no BatchNorm layer; its BN statistics cannot be studied.");
        switch (source)
        {
            case BnStatisticsSource.TestBatch:
                if (norms.Any(n => n.track_running_stats))
                    throw new InvalidOperationException(
                        $"{backbone.Arch} holds running BN statistics, so it would not normalize with test-batch statistics.");
                break;
            case BnStatisticsSource.Initial:
                foreach (var bn in norms)
                {
                    bn.CreateRunningStats();
                    bn.reset_running_stats();
                }
                break;
            case BnStatisticsSource.MaxWidth:
                calibration.Prepare(1.0, step);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(source), source, "Only the sources that skip per-width recalibration are set here.");
        }
    }
}
