using System.Globalization;
using System.Text.Json;
using US3L.Evaluation;

namespace US3L.Notebook;

/// <summary>Test top-1 of one width under a training protocol (reference linear or semi-supervised).</summary>
public sealed record ProtocolPoint(double Width, long Macs, double Top1, double TrainTop1);

/// <summary>The per-width results of one run under one training protocol.</summary>
public sealed record ProtocolAccuracies(string Model, string Protocol, IReadOnlyList<ProtocolPoint> Points)
{
    /// <summary>True when the numbers were read from an earlier evaluation's cache file.</summary>
    public bool FromCache { get; init; }

    /// <summary>The point of <paramref name="width"/> (an error naming the evaluated widths if it was not evaluated).</summary>
    public ProtocolPoint At(double width) => Points.FirstOrDefault(p => RunMetrics.Same(p.Width, width))
        ?? throw new KeyNotFoundException($"{Model} was evaluated at widths {string.Join(", ", Points.Select(p => p.Width))}, not at {width}.");
}

/// <summary>
/// The two protocols that train something per width, for notebook runs: the reference linear
/// evaluation (science.md 6.7, <see cref="ReferenceLinearEval"/>) and semi-supervised fine-tuning
/// (science.md 6.8, <see cref="SemiSupervisedFinetune"/>), each on a fresh copy of the run's final
/// backbone per width. Results are cached next to the run (<c>eval/linear-HASH.json</c>,
/// <c>eval/semisup-HASH.json</c>, keyed by the widths, the options and the image counts), so a
/// notebook run again evaluates nothing twice.
/// </summary>
public static class ProtocolEvaluation
{
    /// <summary>
    /// The reference linear protocol at each width: BN calibrated, backbone frozen, a classifier
    /// trained on augmented batches of the first <paramref name="trainImages"/> training images,
    /// top-1 on the first <paramref name="testImages"/> test images.
    /// </summary>
    public static ProtocolAccuracies ReferenceLinear(NotebookRun run, IReadOnlyList<double> widths, ReferenceLinearOptions options,
        int trainImages, int testImages, IProgress<(int Done, int Total)>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(options);
        var schedule = options.Schedule == ProbeSchedule.MultiStep ? $"x0.1 at epochs {string.Join(", ", options.Milestones)}" : "cosine";
        var protocol = $"reference linear ({options.Setting} setting, profile {options.Profile}): {options.Epochs} epochs, batch {options.BatchSize}, "
            + $"{options.Optimizer.ToString().ToUpperInvariant()} lr {Invariant(options.LearningRate)} {schedule}, augmentation {options.TrainAugmentation}; "
            + $"BN calibrated by {options.CalibrationEpochs} pass(es) in batches of {options.CalibrationBatchSize}; "
            + $"first {trainImages} training images, first {testImages} test images; seed {options.Seed}";
        return Cached(run, "linear", widths, new { options, trainImages, testImages }, protocol, progress, ct, () =>
        {
            var train = WidthEvaluation.Dataset(run.Config, train: true, trainImages);
            var test = WidthEvaluation.Dataset(run.Config, train: false, testImages);
            return (options.BatchesPerWidth(train.Count, test.Count), (model, w, onBatch) =>
            {
                var r = ReferenceLinearEval.Run(model, w, train, test, options, onBatch);
                return new ProtocolPoint(w, model.Cost(w, train.Height).Macs, r.TestTop1, r.TrainTop1);
            });
        });
    }

    /// <summary>
    /// Semi-supervised fine-tuning at each width: the labelled images are a class-balanced, seeded
    /// <see cref="SemiSupervisedOptions.Fraction"/> of the first <paramref name="poolImages"/>
    /// training images (<see cref="LabelFraction"/>); top-1 on the first <paramref name="testImages"/> test images.
    /// </summary>
    public static ProtocolAccuracies SemiSupervised(NotebookRun run, IReadOnlyList<double> widths, SemiSupervisedOptions options,
        int poolImages, int testImages, IProgress<(int Done, int Total)>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(options);
        var protocol = $"semi-supervised fine-tuning (profile {options.Profile}): {options.Epochs} epochs, batch {options.BatchSize}, "
            + $"backbone lr {Invariant(options.BackboneLr)}, head lr {Invariant(options.HeadLr)}, x0.1 at epochs {string.Join(", ", options.Milestones)}, "
            + $"labels on a class-balanced {Invariant(options.Fraction)} of the first {poolImages} training images (seed {options.Seed}), first {testImages} test images";
        return Cached(run, "semisup", widths, new { options, poolImages, testImages }, protocol, progress, ct, () =>
        {
            var pool = WidthEvaluation.Dataset(run.Config, train: true, poolImages);
            var labelled = pool.Select(LabelFraction.Indices(pool, options.Fraction, options.Seed), $"{pool.Name}[{Invariant(options.Fraction)} labelled]");
            var test = WidthEvaluation.Dataset(run.Config, train: false, testImages);
            return (options.BatchesPerWidth(labelled.Count, test.Count), (model, w, onBatch) =>
            {
                var r = SemiSupervisedFinetune.Run(model, w, labelled, test, options, onBatch);
                return new ProtocolPoint(w, model.Cost(w, labelled.Height).Macs, r.TestTop1, r.TrainTop1);
            });
        });
    }

    private delegate ProtocolPoint WidthRun(Models.SlimmableNetwork model, double width, Action onBatch);

    private static ProtocolAccuracies Cached(NotebookRun run, string kind, IReadOnlyList<double> widths, object key, string protocol,
        IProgress<(int Done, int Total)>? progress, CancellationToken ct, Func<(long BatchesPerWidth, WidthRun Run)> prepare)
    {
        ArgumentNullException.ThrowIfNull(widths);
        if (widths.Count == 0) throw new ArgumentException("Evaluate at least one width.", nameof(widths));
        // Every width is checked before the first one trains, so a width an S-Net lacks loses no work.
        using (var probe = run.LoadBackbone())
            foreach (var w in widths) probe.CheckWidth(w);
        var folder = Path.Combine(run.RunDir, "eval");
        var path = Path.Combine(folder, $"{kind}-{RunStore.Hash(JsonSerializer.Serialize(new { widths, key }))}.json");
        if (EvaluationCache.Read<ProtocolPoint>(path) is { } saved)
            return new ProtocolAccuracies(run.Label, protocol, saved) { FromCache = true };

        var (perWidth, evaluate) = prepare();
        var total = (int)Math.Min(int.MaxValue, perWidth * widths.Count);
        var done = 0;
        var points = new List<ProtocolPoint>();
        foreach (var w in widths)
        {
            // A fresh backbone per width: calibration and fine-tuning change it in place.
            using var model = run.LoadBackbone();
            points.Add(evaluate(model, w, () =>
            {
                ct.ThrowIfCancellationRequested();
                progress?.Report((++done, total));
            }));
        }
        EvaluationCache.Write(path, points);
        return new ProtocolAccuracies(run.Label, protocol, points);
    }

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);
}
