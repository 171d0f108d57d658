using System.Diagnostics;
using System.Globalization;

namespace US3L.Cli;

/// <summary>
/// A console progress bar with elapsed time and ETA. On a terminal it redraws one line in place
/// (at most 10 times a second); when the output is redirected (a log file, CI) it prints a plain
/// line at every quarter of the work and at most every 30 s otherwise, so logs stay short.
/// It writes to stderr by default, so stdout stays clean for tables and JSON lines.
/// </summary>
internal sealed class Progress : IDisposable
{
    private const int BarWidth = 24;
    private static readonly TimeSpan RedrawEvery = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(30);

    private readonly TextWriter writer;
    private readonly bool inPlace;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private TimeSpan? lastDraw;
    private int lastQuarter;
    private int drawnLength;
    private bool finished;

    /// <param name="label">What is being done, e.g. "kNN".</param>
    /// <param name="total">Units of work (batches, images); must be positive.</param>
    /// <param name="writer">Where to draw; stderr by default.</param>
    /// <param name="inPlace">Redraw in place; by default when <paramref name="writer"/> is a terminal.</param>
    public Progress(string label, long total, TextWriter? writer = null, bool? inPlace = null)
    {
        if (total < 1) throw new ArgumentOutOfRangeException(nameof(total), $"Progress needs a positive total, got {total}.");
        Label = label;
        Total = total;
        this.writer = writer ?? Console.Error;
        this.inPlace = inPlace ?? (writer is null && !Console.IsErrorRedirected);
    }

    public string Label { get; }
    public long Total { get; }
    public long Done { get; private set; }
    /// <summary>A short note shown after the bar, e.g. the current width.</summary>
    public string Status { get; set; } = "";

    /// <summary>Records <paramref name="units"/> more units of work and redraws when due.</summary>
    public void Advance(long units = 1)
    {
        Done = Math.Min(Total, Done + units);
        var now = clock.Elapsed;
        if (inPlace)
        {
            if (now - lastDraw < RedrawEvery && Done < Total) return;
            lastDraw = now;
            var line = Line(now);
            writer.Write("\r" + line + new string(' ', Math.Max(0, drawnLength - line.Length)));
            drawnLength = line.Length;
            writer.Flush();
            return;
        }
        var quarter = (int)(4 * Done / Total);
        if (quarter > lastQuarter || now - (lastDraw ?? TimeSpan.Zero) >= PlainEvery)
        {
            lastQuarter = quarter;
            lastDraw = now;
            writer.WriteLine(Line(now));
        }
    }

    /// <summary>"label [#####-----]  45%  450/1000  12 s, ETA 15 s  status".</summary>
    internal string Line(TimeSpan elapsed)
    {
        var fraction = (double)Done / Total;
        var filled = (int)Math.Round(fraction * BarWidth);
        var eta = Done == 0 ? "ETA ?" : Done == Total ? "done" : "ETA " + Seconds(elapsed.TotalSeconds * (Total - Done) / Done);
        var status = Status.Length > 0 ? "  " + Status : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{Label} [{new string('#', filled)}{new string('-', BarWidth - filled)}] {fraction * 100,3:0}%  {Done}/{Total}  {Seconds(elapsed.TotalSeconds)}, {eta}{status}");
    }

    private static string Seconds(double s) => s < 60
        ? string.Create(CultureInfo.InvariantCulture, $"{s:0.0} s")
        : string.Create(CultureInfo.InvariantCulture, $"{(int)(s / 60)} min {(int)(s % 60):00} s");

    /// <summary>Ends the line on a terminal (the finished bar stays visible).</summary>
    public void Dispose()
    {
        if (finished) return;
        finished = true;
        if (inPlace && drawnLength > 0) writer.WriteLine();
        else if (!inPlace && lastQuarter < 4 && Done > 0) writer.WriteLine(Line(clock.Elapsed));
        writer.Flush();
    }
}
