using System.Diagnostics;
using US3L.Data;
using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Evaluation;

/// <summary>What a width sweep measures at each width, and under which protocol.</summary>
public sealed record WidthSweepOptions(EvalProtocol Protocol)
{
    /// <summary>kNN settings, all answered from one neighbour search; default k = 200, τ = 0.1.</summary>
    public IReadOnlyList<KnnOptions> Knn { get; init; } = new[] { new KnnOptions() };
    /// <summary>Also train a linear probe per width; null skips it (kNN alone is the cheap monitor).</summary>
    public LinearProbeOptions? Linear { get; init; }
    /// <summary>MACs of one forward pass at a width, when the caller can count them.</summary>
    public Func<double, long>? Macs { get; init; }
    /// <summary>
    /// F(w): how many leading features the width produces (science.md 1.3). Null uses every
    /// feature the extractor returns.
    /// </summary>
    public Func<double, int>? FeatureCount { get; init; }
    /// <summary>
    /// Also measure the collapse meters (science.md 2.2) on the first this-many test features of
    /// each width; null skips them. Small widths collapse first, so this is the per-width view.
    /// </summary>
    public int? CollapseRows { get; init; }
    /// <summary>Where the feature banks live (CPU by default).</summary>
    public Device? FeatureDevice { get; init; }
}

/// <summary>The measurements at one width.</summary>
public sealed record WidthPoint(double Width, long? Macs, int FeatureDim, IReadOnlyList<EvalResult> Knn, EvalResult? Linear,
    CollapseStats? Collapse)
{
    /// <summary>Top-1 of the first kNN setting.</summary>
    public double KnnTop1 => Knn[0].Top1;
    public double? LinearTop1 => Linear?.Top1;
    /// <summary>Every result of this width, for <see cref="ResultsFile"/>.</summary>
    public IEnumerable<EvalResult> Results => Linear is null ? Knn : Knn.Append(Linear);
}

/// <summary>
/// Accuracy versus width (science.md 8.2 E7): for each width the caller's <c>prepare</c> sets the
/// width and recalibrates BN (science.md 6.3), then the train and test features are extracted once,
/// kNN is run and, if asked, a linear probe is trained. Both feature banks are freed before the
/// next width, so memory does not grow with the number of widths.
/// </summary>
public static class WidthSweep
{
    /// <param name="extractor">uint8 images [B, C, H, W] to features [B, F] at the current width.</param>
    /// <param name="train">Bank for kNN and training set of the probe (iterated in order if not shuffled).</param>
    /// <param name="test">Queries and probe test set.</param>
    /// <param name="widths">E.g. <see cref="EvaluationWidths.Curve"/>.</param>
    /// <param name="options">Methods, protocol, MACs and F(w).</param>
    /// <param name="prepare">Called with each width before extraction: set the width, recalibrate BN.</param>
    /// <param name="model">Put in eval mode during extraction (mode restored afterwards).</param>
    /// <param name="progress">Called after each width, e.g. to log or plot as the sweep runs.</param>
    public static IReadOnlyList<WidthPoint> Run(Func<Tensor, Tensor> extractor, DataLoader train, DataLoader test,
        IEnumerable<double> widths, WidthSweepOptions options, Action<double>? prepare = null, Module? model = null,
        Action<WidthPoint>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        options.Protocol.Validate();
        if (options.Knn is null || options.Knn.Count == 0) throw new ArgumentException("A width sweep needs at least one kNN setting.", nameof(options));
        if (train.Dataset.NumClasses != test.Dataset.NumClasses)
            throw new ArgumentException(
                $"Train '{train.Dataset.Name}' has {train.Dataset.NumClasses} classes, test '{test.Dataset.Name}' has {test.Dataset.NumClasses}.");
        if (options.CollapseRows is < 2)
            throw new ArgumentOutOfRangeException(nameof(options), $"CollapseRows must be at least 2, got {options.CollapseRows}.");
        var list = widths?.ToList() ?? throw new ArgumentNullException(nameof(widths));
        if (list.Count == 0) throw new ArgumentException("A width sweep needs at least one width.", nameof(widths));
        foreach (var w in list)
            if (!(w > 0) || double.IsInfinity(w)) throw new ArgumentOutOfRangeException(nameof(widths), $"Widths must be positive and finite, got {w}.");

        var points = new List<WidthPoint>(list.Count);
        foreach (var w in list)
        {
            prepare?.Invoke(w);
            var point = Measure(extractor, train, test, w, options, model);
            points.Add(point);
            progress?.Invoke(point);
        }
        return points;
    }

    private static WidthPoint Measure(Func<Tensor, Tensor> extractor, DataLoader train, DataLoader test, double width,
        WidthSweepOptions options, Module? model)
    {
        var macs = options.Macs?.Invoke(width);
        var clock = Stopwatch.StartNew();
        var (trainBank, testBank) = Banks(extractor, train, test, width, options, model);
        using (trainBank)
        using (testBank)
        {
            var extraction = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var knn = Knn.Evaluate(trainBank, testBank, options.Knn);
            var knnSeconds = extraction + clock.Elapsed.TotalSeconds;
            var knnRows = knn.Select(r => EvalResult.FromKnn(r, options.Protocol, width, macs, knnSeconds)).ToArray();

            EvalResult? linear = null;
            if (options.Linear is not null)
            {
                clock.Restart();
                var probe = LinearProbe.Fit(trainBank, testBank, options.Linear);
                linear = EvalResult.FromLinear(probe, options.Protocol, trainBank.Count, testBank.Count, width, macs,
                    extraction + clock.Elapsed.TotalSeconds);
            }
            CollapseStats? collapse = null;
            if (options.CollapseRows is { } rows)
                using (torch.NewDisposeScope())
                    collapse = CollapseMeter.Measure(testBank.Features.narrow(0, 0, Math.Min(rows, testBank.Count)));
            return new WidthPoint(width, macs, trainBank.Dim, knnRows, linear, collapse);
        }
    }

    /// <summary>Train and test banks at the current width, cut to the first F(w) features when asked.</summary>
    private static (FeatureBank train, FeatureBank test) Banks(Func<Tensor, Tensor> extractor, DataLoader train, DataLoader test,
        double width, WidthSweepOptions options, Module? model)
    {
        var trainBank = FeatureBank.Extract(extractor, train, model, options.FeatureDevice);
        FeatureBank? testBank = null;
        try
        {
            testBank = FeatureBank.Extract(extractor, test, model, options.FeatureDevice);
            if (options.FeatureCount is null) return (trainBank, testBank);
            var f = options.FeatureCount(width);
            if (f < 1 || f > trainBank.Dim)
                throw new ArgumentOutOfRangeException(nameof(options),
                    $"FeatureCount({width}) = {f}, but the extractor returns {trainBank.Dim} features; F(w) must be in [1, {trainBank.Dim}].");
            if (f == trainBank.Dim) return (trainBank, testBank);
            var (a, b) = (trainBank.Prefix(f), testBank.Prefix(f));
            trainBank.Dispose();
            testBank.Dispose();
            return (a, b);
        }
        catch
        {
            trainBank.Dispose();
            testBank?.Dispose();
            throw;
        }
    }
}
