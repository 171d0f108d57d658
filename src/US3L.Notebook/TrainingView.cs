using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using US3L.Figures;
using US3L.Training;

namespace US3L.Notebook;

/// <summary>
/// The live view of a training run in a notebook: a progress bar with ETA, the latest loss per
/// width, kNN per width after each monitored epoch, and a loss chart (largest width, smallest
/// width, mean of the widths in between). It is the run's <see cref="IProgress{T}"/>; whenever
/// it has news worth drawing (at most about once a second, and at each epoch's end) it calls
/// <see cref="Changed"/>, which a notebook points at its display handle's <c>Update</c>.
/// </summary>
public sealed class TrainingView : IProgress<TrainProgress>
{
    private const int MaxChartPoints = 400;
    private readonly RedrawThrottle throttle = new(TimeSpan.FromSeconds(1));

    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<(long Iteration, double? Max, double? Min, double? Middle)> losses = new();
    private readonly List<(int Epoch, IReadOnlyDictionary<double, double> Knn)> knn = new();
    private long startIteration = -1;
    private TrainProgress? latest;

    public TrainingView(string title) => Title = title;

    public string Title { get; }
    /// <summary>Called when the view should be redrawn.</summary>
    public Action<TrainingView>? Changed { get; set; }
    /// <summary>The closing line ("finished in …", "interrupted …"), or null while training.</summary>
    public string? Status { get; private set; }

    public void Report(TrainProgress value)
    {
        latest = value;
        if (value.Knn is { } top1)
        {
            knn.Add((value.Epoch, top1));
            Draw(force: true);
            return;
        }
        if (startIteration < 0) startIteration = value.Iteration - 1;
        losses.Add((value.Iteration - 1, LossAt(value, 0), value.Losses.Count > 1 ? LossAt(value, value.Losses.Count - 1) : null, MiddleLoss(value)));
        Draw(force: false);
    }

    /// <summary>Ends the view with what the run produced: for a cached run, its logged losses and kNN.</summary>
    public void Complete(NotebookRun run)
    {
        if (run.Source == RunSource.Cached)
        {
            var m = run.Metrics;
            losses.Clear();
            knn.Clear();
            foreach (var r in m.Iterations)
                losses.Add((r.Iteration, r.Losses.Count > 0 ? r.Losses[0] : null, r.Losses.Count > 1 ? r.Losses[^1] : null,
                    r.Losses.Count > 2 ? r.Losses.Skip(1).Take(r.Losses.Count - 2).Average() : null));
            foreach (var e in m.Epochs.Where(e => e.Knn is not null)) knn.Add((e.Epoch, e.Knn!));
            Status = $"found finished in {run.RunDir} (trained in {m.TrainSeconds:F0} s); nothing was trained";
        }
        else
        {
            Status = $"{(run.Source == RunSource.Resumed ? "resumed and finished" : "finished")} in {clock.Elapsed.TotalSeconds:F0} s; saved in {run.RunDir}";
        }
        Draw(force: true);
    }

    /// <summary>Ends the view with an error or interruption message.</summary>
    public void Fail(string message)
    {
        Status = message;
        Draw(force: true);
    }

    private void Draw(bool force)
    {
        if (throttle.Due(force)) Changed?.Invoke(this);
    }

    /// <summary>The loss chart (downsampled to a few hundred points per line).</summary>
    public Figure LossChart()
    {
        var step = Math.Max(1, losses.Count / MaxChartPoints);
        var shown = losses.Where((_, i) => i % step == 0 || i == losses.Count - 1).ToList();
        Figure? chart = null;
        void Add(string name, Func<(long Iteration, double? Max, double? Min, double? Middle), double?> pick)
        {
            var points = shown.Where(p => pick(p).HasValue).ToList();
            if (points.Count == 0) return;
            var line = Figure.Line(points.Select(p => p.Iteration), points.Select(p => pick(p)!.Value), name: name);
            chart = chart is null ? line : chart.And(line);
        }
        Add("largest width", p => p.Max);
        Add("smallest width", p => p.Min);
        Add("widths in between (mean)", p => p.Middle);
        return (chart ?? Figure.Line(Array.Empty<double>(), name: "no iterations yet"))
            .WithTitle($"{Title}: training loss per iteration").WithXAxis("iteration").WithYAxis("loss").WithSize(height: 300);
    }

    public override string ToString()
    {
        var text = new StringBuilder(Title).Append(": ");
        if (latest is { } p)
        {
            long total = (long)p.Epochs * p.BatchesPerEpoch;
            text.Append(CultureInfo.InvariantCulture, $"iteration {p.Iteration}/{total}, epoch {p.Epoch + 1}/{p.Epochs}");
            if (Eta(p) is { } eta) text.Append(CultureInfo.InvariantCulture, $", ETA {eta:F0} s");
            var last = p.Losses.Count > 0 ? p : null;
            if (last is not null)
                text.Append(", loss ").Append(string.Join(" / ", last.Widths.Zip(last.Losses, (w, l) => $"{w:0.###}x {l:F3}")));
        }
        if (knn.Count > 0)
            text.Append(CultureInfo.InvariantCulture, $"; kNN after epoch {knn[^1].Epoch + 1}: ")
                .Append(string.Join(" / ", knn[^1].Knn.OrderByDescending(e => e.Key).Select(e => $"{e.Key:0.##}x {e.Value:F3}")));
        if (Status is not null) text.Append(" — ").Append(Status);
        return text.ToString();
    }

    internal string ToHtml()
    {
        var html = new StringBuilder("<div class=\"us3l-training\">");
        if (latest is { } p)
        {
            long total = (long)p.Epochs * p.BatchesPerEpoch;
            html.Append(CultureInfo.InvariantCulture, $"<progress value=\"{p.Iteration}\" max=\"{total}\" style=\"width:300px\"></progress> ");
        }
        html.Append(WebUtility.HtmlEncode(ToString()));
        // Figures in an updated output must not carry plotly.js themselves (see NotebookPlotly.ScriptHtml).
        html.Append(LossChart().ToHtml(includePlotlyJs: false));
        return html.Append("</div>").ToString();
    }

    private double? Eta(TrainProgress p)
    {
        long total = (long)p.Epochs * p.BatchesPerEpoch, done = p.Iteration - Math.Max(0, startIteration);
        if (done <= 0 || p.Iteration >= total) return null;
        return clock.Elapsed.TotalSeconds / done * (total - p.Iteration);
    }

    private static double? LossAt(TrainProgress p, int index) => index >= 0 && index < p.Losses.Count ? p.Losses[index] : null;

    private static double? MiddleLoss(TrainProgress p) =>
        p.Losses.Count > 2 ? p.Losses.Skip(1).Take(p.Losses.Count - 2).Average() : null;
}
