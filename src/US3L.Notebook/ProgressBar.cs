using System.Globalization;
using System.Net;

namespace US3L.Notebook;

/// <summary>
/// A progress bar for a notebook. Show it once and update that output as work advances:
/// <code>
/// var progress = new ProgressBar(epochs, "epochs");
/// var view = display(progress);
/// for (...) { ...; progress.Advance($"loss {loss:F3}"); view.Update(progress); }
/// </code>
/// (The kernel's display handle does the updating; this type only knows how it looks.)
/// </summary>
public sealed class ProgressBar
{
    public ProgressBar(long total, string? label = null)
    {
        if (total <= 0) throw new ArgumentException($"A progress bar needs a positive total, got {total}.");
        Total = total;
        Label = label;
    }

    public long Total { get; }
    public string? Label { get; }
    public long Done { get; private set; }
    /// <summary>A note shown after the count, e.g. the latest loss.</summary>
    public string? Note { get; private set; }

    public double Fraction => (double)Done / Total;

    /// <summary>Counts <paramref name="steps"/> more done (never past the total).</summary>
    public ProgressBar Advance(string? note = null, long steps = 1)
    {
        if (steps < 0) throw new ArgumentException($"Progress cannot go back ({steps} steps).");
        Done = Math.Min(Total, Done + steps);
        Note = note ?? Note;
        return this;
    }

    public override string ToString() =>
        $"{Label ?? "progress"}: {Done}/{Total} ({Fraction.ToString("P0", CultureInfo.InvariantCulture)}){(Note is null ? "" : " " + Note)}";

    internal string ToHtml() =>
        $"<div class=\"us3l-progress\"><progress value=\"{Done}\" max=\"{Total}\" style=\"width:300px\"></progress> " +
        WebUtility.HtmlEncode(ToString()) + "</div>";
}
