using System.Collections.Immutable;

namespace US3L.Figures;

/// <summary>
/// Panels in a grid, filled row by row. Each panel has its own axes; shared axes are linked
/// (zooming one zooms the others) and show their tick labels once.
/// </summary>
public sealed record Subplots(ImmutableList<Figure> Panels, int Columns, bool ShareX, bool ShareY)
{
    public int Rows => (Panels.Count + Columns - 1) / Columns;
}

public sealed partial record Figure
{
    /// <summary>
    /// Lays out <paramref name="panels"/> in a grid of <paramref name="columns"/> columns, row by
    /// row. Each panel keeps its traces, axes and title (shown above it).
    /// </summary>
    /// <param name="shareX">One linked x range for all panels (e.g. the same epochs).</param>
    /// <param name="shareY">One linked y range for all panels (e.g. accuracies to compare).</param>
    public static Figure Grid(IEnumerable<Figure> panels, int columns = 2, bool shareX = false, bool shareY = false,
        string? title = null)
    {
        var list = panels.ToImmutableList();
        if (list.Count == 0) throw new ArgumentException("Figure.Grid needs at least one panel.");
        if (columns <= 0) throw new ArgumentException($"Figure.Grid needs a positive number of columns, got {columns}.");
        foreach (Figure p in list) p.RequireSinglePanel("A grid panel");
        return new Figure
        {
            Title = title,
            Subplots = new Subplots(list, Math.Min(columns, list.Count), shareX, shareY),
        };
    }
}
