using System.Text.Json;

namespace US3L.Notebook;

/// <summary>One collapse measurement (science.md 2.2) of one width, on projector outputs or backbone features.</summary>
/// <param name="Width">The width measured.</param>
/// <param name="Std">Mean per-dimension std of the ℓ2-normalized rows (healthy ≈ 1/√d, collapse → 0).</param>
/// <param name="Level">Collapse level: 1 − Std·√d, so 0 is healthy and 1 is complete collapse.</param>
/// <param name="MeanCosine">Mean off-diagonal cosine (→ 1 under collapse).</param>
/// <param name="EffectiveRank">exp(entropy of the normalized singular values); ≈ 1 under collapse.</param>
public sealed record CollapsePoint(double Width, double Std, double Level, double MeanCosine, double EffectiveRank);

/// <summary>
/// One logged iteration of a run's <c>metrics.jsonl</c>. <c>TargetDrift</c> (monitored iterations only):
/// one entry per distilled step, the mean 1 − cos between the normalized targets just before that step and
/// just before the previous sub-network step, on the same images (null where unknown); <c>TargetDriftL2</c>
/// the same movement as a mean ℓ2 distance of the normalized targets.
/// </summary>
public sealed record IterationMetrics(int Epoch, long Iteration, double Lr, IReadOnlyList<double> Widths, IReadOnlyList<bool> Distilled,
    IReadOnlyList<double> Losses, IReadOnlyList<double> GradNorms, double ImagesPerSecond, long Passes, double Macs,
    long OptimizerSteps, double? EmaDrift, IReadOnlyList<CollapsePoint>? Collapse, IReadOnlyList<CollapsePoint>? BackboneCollapse,
    IReadOnlyList<double?>? TargetDrift = null, IReadOnlyList<double?>? TargetDriftL2 = null);

/// <summary>
/// The target drift of one sub-network step (science.md 3.1): how far its targets moved since the previous
/// sub-network step. <paramref name="Position"/> is the step's place among the iteration's distilled steps
/// (0: the interval from the previous iteration's last sub-network step, spanning the max-width step).
/// </summary>
public sealed record TargetDriftStep(long Iteration, int Position, double Width, double OneMinusCosine, double? L2);

/// <summary>The end of one epoch: kNN top-1 per width when it was measured.</summary>
public sealed record EpochMetrics(int Epoch, long Iteration, double Lr, IReadOnlyDictionary<double, double>? Knn);

/// <summary>
/// A run's <c>metrics.jsonl</c>, parsed: the iteration records (loss per width, collapse meters,
/// cost counters), the epoch records (kNN per width) and the wall-clock seconds of the training calls.
/// </summary>
public sealed class RunMetrics
{
    private RunMetrics(IReadOnlyList<IterationMetrics> iterations, IReadOnlyList<EpochMetrics> epochs, double seconds, bool finished)
    {
        Iterations = iterations;
        Epochs = epochs;
        TrainSeconds = seconds;
        Finished = finished;
    }

    public IReadOnlyList<IterationMetrics> Iterations { get; }
    public IReadOnlyList<EpochMetrics> Epochs { get; }
    /// <summary>Seconds spent in the training calls that completed or were interrupted and kept.</summary>
    public double TrainSeconds { get; }
    /// <summary>Whether the last record says the run ended without an interruption.</summary>
    public bool Finished { get; }

    /// <summary>The loss of <paramref name="width"/> at every iteration that trained it: (iteration, loss).</summary>
    public IEnumerable<(long Iteration, double Loss)> LossOf(double width) =>
        Iterations.SelectMany(r => r.Widths.Select((w, i) => (w, i)).Where(p => Same(p.w, width)).Select(p => (r.Iteration, r.Losses[p.i])));

    /// <summary>The collapse meter of <paramref name="width"/> over iterations (backbone features or projector outputs).</summary>
    public IEnumerable<(long Iteration, CollapsePoint Point)> CollapseOf(double width, bool backbone = true) =>
        Iterations.SelectMany(r => ((backbone ? r.BackboneCollapse : r.Collapse) ?? Array.Empty<CollapsePoint>())
            .Where(p => Same(p.Width, width)).Select(p => (r.Iteration, p)));

    /// <summary>Every measured target drift (monitored iterations, distilled steps with a known previous step), in order.</summary>
    public IEnumerable<TargetDriftStep> TargetDrifts() => Iterations.Where(r => r.TargetDrift is not null).SelectMany(r =>
    {
        var widths = r.Widths.Where((_, i) => i < r.Distilled.Count && r.Distilled[i]).ToArray();
        return r.TargetDrift!.Select((d, k) => (d, k)).Where(p => p.d is not null && p.k < widths.Length)
            .Select(p => new TargetDriftStep(r.Iteration, p.k, widths[p.k], p.d!.Value, r.TargetDriftL2 is { } l2 && p.k < l2.Count ? l2[p.k] : null));
    });

    /// <summary>kNN top-1 of <paramref name="width"/> after each monitored epoch: (epoch, top-1).</summary>
    public IEnumerable<(int Epoch, double Top1)> KnnOf(double width) =>
        Epochs.Where(e => e.Knn is not null).SelectMany(e => e.Knn!.Where(k => Same(k.Key, width)).Select(k => (e.Epoch, k.Value)));

    /// <summary>Reads <paramref name="path"/>; a line that is not a metrics record is an error naming the line.</summary>
    public static RunMetrics Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No metrics log at {path}.", path);
        var iterations = new List<IterationMetrics>();
        var epochs = new List<EpochMetrics>();
        double seconds = 0;
        bool finished = false;
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                switch (r.GetProperty("kind").GetString())
                {
                    case "iteration": iterations.Add(Iteration(r)); break;
                    case "epoch": epochs.Add(Epoch(r)); break;
                    case "end":
                        seconds += r.GetProperty("seconds").GetDouble();
                        finished = !r.GetProperty("interrupted").GetBoolean();
                        break;
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new InvalidDataException($"{path}, line {lineNumber}: not a metrics record ({e.Message}).", e);
            }
        }
        return new RunMetrics(iterations, epochs, seconds, finished);
    }

    private static IterationMetrics Iteration(JsonElement r) => new(
        r.GetProperty("epoch").GetInt32(), r.GetProperty("iteration").GetInt64(), r.GetProperty("lr").GetDouble(),
        Doubles(r.GetProperty("widths")), r.GetProperty("distilled").EnumerateArray().Select(e => e.GetBoolean()).ToArray(),
        Doubles(r.GetProperty("loss")), Doubles(r.GetProperty("grad_norm")), r.GetProperty("images_per_second").GetDouble(),
        r.GetProperty("passes").GetInt64(), r.GetProperty("macs").GetDouble(), r.GetProperty("optimizer_steps").GetInt64(),
        r.TryGetProperty("ema_drift", out var drift) && drift.ValueKind == JsonValueKind.Number ? drift.GetDouble() : null,
        Collapse(r, "collapse"), Collapse(r, "collapse_backbone"), NullableDoubles(r, "target_drift"), NullableDoubles(r, "target_drift_l2"));

    private static EpochMetrics Epoch(JsonElement r) => new(
        r.GetProperty("epoch").GetInt32(), r.GetProperty("iteration").GetInt64(), r.GetProperty("lr").GetDouble(),
        r.GetProperty("knn") is { ValueKind: JsonValueKind.Array } knn
            ? knn.EnumerateArray().ToDictionary(k => k.GetProperty("width").GetDouble(), k => k.GetProperty("top1").GetDouble())
            : null);

    private static IReadOnlyList<CollapsePoint>? Collapse(JsonElement r, string name) =>
        r.TryGetProperty(name, out var entries) && entries.ValueKind == JsonValueKind.Array
            ? entries.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).Select(e => new CollapsePoint(
                e.GetProperty("width").GetDouble(), e.GetProperty("std").GetDouble(), e.GetProperty("level").GetDouble(),
                e.GetProperty("mean_cosine").GetDouble(), e.GetProperty("effective_rank").GetDouble())).ToArray()
            : null;

    /// <summary>An optional array whose entries may be null (absent in logs written before it existed).</summary>
    private static double?[]? NullableDoubles(JsonElement r, string name) =>
        r.TryGetProperty(name, out var entries) && entries.ValueKind == JsonValueKind.Array
            ? entries.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : (double?)null).ToArray()
            : null;

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    /// <summary>Widths are logged as doubles; compare them at the precision widths are chosen with.</summary>
    internal static bool Same(double a, double b) => Math.Abs(a - b) < 1e-9;
}
