using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.DotNet.Interactive.Formatting;

namespace US3L.Notebook;

/// <summary>
/// The collected results of a grid: one row per arm with its axis values, kNN top-1 per width, the
/// mean over the widths and the training time. Columns are named by the axis keys, <c>knn@WIDTH</c>
/// (e.g. <c>knn@0.25</c>), <c>mean</c> and <c>train_seconds</c>; <see cref="SortBy"/> orders by any of them.
/// A notebook shows it as an HTML table.
/// </summary>
[TypeFormatterSource(typeof(GridFormatterSource))]
public sealed class GridTable
{
    public const string MeanColumn = "mean";
    public const string TrainSecondsColumn = "train_seconds";

    public GridTable(IReadOnlyList<string> axisKeys, IEnumerable<ArmSummary> rows)
    {
        AxisKeys = axisKeys;
        Rows = rows.ToArray();
        Widths = Rows.SelectMany(r => r.Results.Select(p => p.Width)).Distinct().OrderByDescending(w => w).ToArray();
    }

    public IReadOnlyList<string> AxisKeys { get; }
    public IReadOnlyList<ArmSummary> Rows { get; }
    /// <summary>Every evaluated width, largest first.</summary>
    public IReadOnlyList<double> Widths { get; }

    /// <summary>The column names, in display order.</summary>
    public IReadOnlyList<string> Columns => AxisKeys.Concat(Widths.Select(KnnColumn)).Append(MeanColumn).Append(TrainSecondsColumn).ToArray();

    /// <summary>The name of the kNN column of <paramref name="width"/>, e.g. <c>knn@0.25</c>.</summary>
    public static string KnnColumn(double width) => "knn@" + width.ToString("0.0##", CultureInfo.InvariantCulture);

    /// <summary>The arm with the highest mean kNN top-1.</summary>
    public ArmSummary Best => Rows.Count > 0 ? Rows.MaxBy(r => r.MeanKnn)! : throw new InvalidOperationException("The table has no rows: no arm was evaluated.");

    /// <summary>The protocol line(s) of the rows (one line when every arm was evaluated alike).</summary>
    public string Protocol => string.Join("\n", Rows.Select(r => r.Protocol).Distinct());

    /// <summary>
    /// The rows ordered by <paramref name="column"/> (largest first unless <paramref name="descending"/> is false).
    /// Axis columns whose values are all numbers sort as numbers, others as text; ties keep grid order.
    /// </summary>
    public GridTable SortBy(string column, bool descending = true)
    {
        if (!Columns.Contains(column))
            throw new ArgumentException($"No column '{column}'; the columns are {string.Join(", ", Columns)}.", nameof(column));
        IComparer<ArmSummary> comparer;
        if (AxisKeys.Contains(column) && !Rows.All(r => double.TryParse(r.Axis(column), NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            comparer = Comparer<ArmSummary>.Create((a, b) => string.CompareOrdinal(a.Axis(column), b.Axis(column)));
        else
            comparer = Comparer<ArmSummary>.Create((a, b) => Value(a, column).CompareTo(Value(b, column)));
        var sorted = descending ? Rows.OrderByDescending(r => r, comparer) : Rows.OrderBy(r => r, comparer);
        return new GridTable(AxisKeys, sorted);
    }

    /// <summary>The numeric value of <paramref name="column"/> in <paramref name="row"/> (NaN for a width the arm was not evaluated at).</summary>
    public double Value(ArmSummary row, string column)
    {
        if (column == MeanColumn) return row.MeanKnn;
        if (column == TrainSecondsColumn) return row.TrainSeconds;
        if (AxisKeys.Contains(column))
            return double.TryParse(row.Axis(column), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
        var width = Widths.FirstOrDefault(w => KnnColumn(w) == column, double.NaN);
        if (double.IsNaN(width)) throw new ArgumentException($"No column '{column}'; the columns are {string.Join(", ", Columns)}.", nameof(column));
        return row.Results.FirstOrDefault(p => RunMetrics.Same(p.Width, width))?.KnnTop1 ?? double.NaN;
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        var cells = Rows.Select(r => Cells(r).ToArray()).ToArray();
        var widths = Columns.Select((c, i) => cells.Select(row => row[i].Length).Append(c.Length).Max()).ToArray();
        text.AppendLine(string.Join("  ", Columns.Select((c, i) => c.PadLeft(widths[i]))));
        foreach (var row in cells) text.AppendLine(string.Join("  ", row.Select((c, i) => c.PadLeft(widths[i]))));
        return text.ToString().TrimEnd();
    }

    internal string ToHtml()
    {
        var html = new StringBuilder("<table class=\"us3l-grid\"><thead><tr>");
        foreach (var c in Columns) html.Append("<th>").Append(WebUtility.HtmlEncode(c)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in Rows)
        {
            html.Append("<tr>");
            foreach (var cell in Cells(row)) html.Append("<td>").Append(WebUtility.HtmlEncode(cell)).Append("</td>");
            html.Append("</tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    private IEnumerable<string> Cells(ArmSummary row) =>
        AxisKeys.Select(row.Axis)
            .Concat(Widths.Select(w => Value(row, KnnColumn(w)) is var v && double.IsNaN(v) ? "–" : v.ToString("0.0000", CultureInfo.InvariantCulture)))
            .Append(row.MeanKnn.ToString("0.0000", CultureInfo.InvariantCulture))
            .Append(row.TrainSeconds.ToString("0", CultureInfo.InvariantCulture));
}
