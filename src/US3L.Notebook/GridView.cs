using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.DotNet.Interactive.Formatting;

namespace US3L.Notebook;

/// <summary>
/// The live view of a running grid: one line per arm (phase, a progress bar, epoch, latest loss of
/// the largest width, throughput, time, a note) under a header naming the grid and how it runs. It is
/// the grid's progress sink; when it has news worth drawing (a phase changed, or a second passed) it
/// calls <see cref="Changed"/>, which a notebook points at its display handle's <c>Update</c>.
/// </summary>
[TypeFormatterSource(typeof(GridFormatterSource))]
public sealed class GridView : IProgress<IReadOnlyList<ArmProgress>>
{
    private readonly RedrawThrottle throttle = new(TimeSpan.FromSeconds(1));

    private readonly Stopwatch clock = Stopwatch.StartNew();
    private string phases = "";

    public GridView(string title) => Title = title;

    public string Title { get; }
    /// <summary>Called when the view should be redrawn.</summary>
    public Action<GridView>? Changed { get; set; }
    /// <summary>The arms' latest lines.</summary>
    public IReadOnlyList<ArmProgress> Arms { get; private set; } = Array.Empty<ArmProgress>();
    /// <summary>The closing line, or null while running.</summary>
    public string? Status { get; private set; }

    public void Report(IReadOnlyList<ArmProgress> value)
    {
        Arms = value;
        var now = string.Join(",", value.Select(a => a.Phase));
        bool phaseChanged = now != phases;
        phases = now;
        Draw(force: phaseChanged);
    }

    /// <summary>Ends the view with what the grid did.</summary>
    public void Complete(GridResult result)
    {
        Status = FormattableString.Invariant(
            $"{result.Summaries.Count}/{result.Arms.Count} arms evaluated in {clock.Elapsed.TotalSeconds:F0} s; {result.ProcessesStarted} training processes started ({result.Parallel} at a time, OMP_NUM_THREADS={result.ThreadsPerArm} each)") +
            (result.Failures.Count > 0 ? $"; {result.Failures.Count} failed: {string.Join("; ", result.Failures.Select(f => $"{f.Key}: {f.Value}"))}" : "");
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

    public override string ToString()
    {
        var text = new StringBuilder(Title);
        foreach (var a in Arms) text.Append('\n').Append(a.Label).Append(": ").Append(Line(a));
        if (Status is not null) text.Append('\n').Append(Status);
        return text.ToString();
    }

    internal string ToHtml()
    {
        var html = new StringBuilder("<div class=\"us3l-grid-view\"><div>").Append(WebUtility.HtmlEncode(Title)).Append("</div>")
            .Append("<table><thead><tr><th>arm</th><th>phase</th><th>progress</th><th>epoch</th><th>loss (largest width)</th><th>img/s</th><th>s</th><th>note</th></tr></thead><tbody>");
        foreach (var a in Arms)
        {
            html.Append("<tr><td>").Append(WebUtility.HtmlEncode(a.Label)).Append("</td><td>").Append(Phase(a.Phase)).Append("</td><td>");
            if (a.Total is > 0) html.Append(CultureInfo.InvariantCulture, $"<progress value=\"{Math.Min(a.Done, a.Total.Value)}\" max=\"{a.Total}\" style=\"width:160px\"></progress>");
            html.Append("</td><td>").Append(CultureInfo.InvariantCulture, $"{a.Epoch}/{a.Epochs}")
                .Append("</td><td>").Append(a.Loss is double l ? l.ToString("0.000", CultureInfo.InvariantCulture) : "")
                .Append("</td><td>").Append(a.ImagesPerSecond is double ips && a.Phase == ArmPhase.Training ? ips.ToString("0", CultureInfo.InvariantCulture) : "")
                .Append("</td><td>").Append(a.Seconds > 0 ? a.Seconds.ToString("0", CultureInfo.InvariantCulture) : "")
                .Append("</td><td>").Append(WebUtility.HtmlEncode(a.Note ?? "")).Append("</td></tr>");
        }
        html.Append("</tbody></table>");
        if (Status is not null) html.Append("<div>").Append(WebUtility.HtmlEncode(Status)).Append("</div>");
        return html.Append("</div>").ToString();
    }

    private static string Line(ArmProgress a)
    {
        var text = new StringBuilder(Phase(a.Phase));
        if (a.Fraction is double f) text.Append(CultureInfo.InvariantCulture, $" {f:P0} ({a.Done}/{a.Total})");
        text.Append(CultureInfo.InvariantCulture, $", epoch {a.Epoch}/{a.Epochs}");
        if (a.Loss is double l) text.Append(CultureInfo.InvariantCulture, $", loss {l:0.000}");
        if (a.Seconds > 0) text.Append(CultureInfo.InvariantCulture, $", {a.Seconds:0} s");
        if (a.Note is { Length: > 0 } note) text.Append(" — ").Append(note);
        return text.ToString();
    }

    private static string Phase(ArmPhase phase) => phase.ToString().ToLowerInvariant();
}
