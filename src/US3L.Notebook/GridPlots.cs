using System.Globalization;
using US3L.Figures;

namespace US3L.Notebook;

/// <summary>Comparison plots of a grid's table: accuracy against width per arm, and one width across arms.</summary>
public static class GridPlots
{
    /// <summary>kNN top-1 against width, one line per arm (named by its axis values).</summary>
    public static Figure AccuracyVsWidth(GridTable table)
    {
        if (table.Rows.Count == 0) throw new ArgumentException("The table has no rows to plot: no arm was evaluated.", nameof(table));
        Figure? figure = null;
        foreach (var row in table.Rows)
        {
            var points = row.Results.OrderBy(p => p.Width).ToArray();
            var line = Figure.Line(points.Select(p => p.Width), points.Select(p => p.KnnTop1), name: Name(table, row), markers: true);
            figure = figure is null ? line : figure.And(line);
        }
        return figure!.WithTitle("kNN top-1 against width, per arm").WithXAxis("width multiplier").WithYAxis("kNN top-1");
    }

    /// <summary>kNN top-1 at <paramref name="width"/>, one bar per arm, in the table's order.</summary>
    public static Figure AtWidth(GridTable table, double width)
    {
        var column = GridTable.KnnColumn(width);
        if (!table.Columns.Contains(column))
            throw new ArgumentException($"No arm was evaluated at width {width}; the widths are {string.Join(", ", table.Widths)}.", nameof(width));
        return Figure.Bar(table.Rows.Select(r => Name(table, r)), table.Rows.Select(r => table.Value(r, column)), name: column)
            .WithTitle($"kNN top-1 at width {width.ToString("0.0##", CultureInfo.InvariantCulture)}, per arm").WithYAxis("kNN top-1");
    }

    /// <summary>An arm's name in a legend: its axis values.</summary>
    public static string Name(GridTable table, ArmSummary row) => string.Join(", ", table.AxisKeys.Select(k => $"{k}={row.Axis(k)}"));
}
