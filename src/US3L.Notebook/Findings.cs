using System.Net;
using System.Text;
using Microsoft.DotNet.Interactive.Formatting;

namespace US3L.Notebook;

/// <summary>One conclusion of a notebook: the question, the number that answers it, the verdict.</summary>
public sealed record Finding(string Question, string Measured, string Verdict);

/// <summary>
/// A notebook's conclusions as a short table (question, measured, verdict) with notes under it
/// (protocol, caveats), instead of a page of printed sentences. Every cell is computed by the
/// notebook; the table only lays them out. Shown as an HTML table in both kernels, and as aligned
/// text where only plain text is read.
/// <code>
/// new Findings("What this run shows")
///     .Add("kNN at 0.25x, trained vs random", $"{trained:0.0} vs {random:0.0} %", trained > random + tolerance ? "trained ahead" : "a tie")
///     .Note($"protocol: {protocol}")
/// </code>
/// </summary>
[TypeFormatterSource(typeof(FindingsFormatterSource))]
public sealed class Findings(string title)
{
    private readonly List<Finding> _rows = new();
    private readonly List<string> _notes = new();

    public string Title { get; } = title;
    public IReadOnlyList<Finding> Rows => _rows;
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>Adds a row; returns this table so rows chain.</summary>
    public Findings Add(string question, string measured, string verdict)
    {
        _rows.Add(new Finding(question, measured, verdict));
        return this;
    }

    /// <summary>Adds a line under the table (a protocol, a caveat); returns this table.</summary>
    public Findings Note(string line)
    {
        _notes.Add(line);
        return this;
    }

    private static readonly string[] Columns = ["question", "measured", "verdict"];

    private static string[] Cells(Finding f) => [f.Question, f.Measured, f.Verdict];

    public override string ToString()
    {
        var cells = _rows.Select(Cells).ToArray();
        var widths = Columns.Select((c, i) => cells.Select(r => r[i].Length).Append(c.Length).Max()).ToArray();
        string Line(string[] row) => string.Join(" | ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd();
        var text = new StringBuilder(Title).AppendLine();
        text.AppendLine(Line(Columns));
        text.AppendLine(string.Join("-|-", widths.Select(w => new string('-', w))));
        foreach (var row in cells) text.AppendLine(Line(row));
        foreach (var note in _notes) text.AppendLine(note);
        return text.ToString().TrimEnd();
    }

    internal string ToHtml()
    {
        var html = new StringBuilder("<div class=\"us3l-findings\"><p><b>").Append(WebUtility.HtmlEncode(Title)).Append("</b></p><table><thead><tr>");
        foreach (var c in Columns) html.Append("<th style=\"text-align:left\">").Append(c).Append("</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in _rows)
        {
            html.Append("<tr>");
            foreach (var cell in Cells(row)) html.Append("<td style=\"text-align:left\">").Append(WebUtility.HtmlEncode(cell)).Append("</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
        foreach (var note in _notes) html.Append("<p><small>").Append(WebUtility.HtmlEncode(note)).Append("</small></p>");
        return html.Append("</div>").ToString();
    }
}
