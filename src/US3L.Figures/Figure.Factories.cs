using System.Numerics;

namespace US3L.Figures;

// Factories: one trace each, numbers of any .NET numeric type (int epochs, float losses, ...).
public sealed partial record Figure
{
    /// <summary>A line through (x, y).</summary>
    public static Figure Line<TX, TY>(IEnumerable<TX> x, IEnumerable<TY> y, string? name = null, string? color = null,
        bool markers = false, LineDash dash = LineDash.Solid)
        where TX : INumberBase<TX> where TY : INumberBase<TY> =>
        Of(new LineTrace(PlotlyJson.Doubles(x, nameof(x)), PlotlyJson.Doubles(y, nameof(y)))
        {
            Name = name, Color = color, Markers = markers, Dash = dash,
        });

    /// <summary>A line through y against 0, 1, 2, ... (e.g. a loss per step).</summary>
    public static Figure Line<TY>(IEnumerable<TY> y, string? name = null, string? color = null,
        bool markers = false, LineDash dash = LineDash.Solid) where TY : INumberBase<TY>
    {
        double[] values = PlotlyJson.Doubles(y, nameof(y));
        return Line(Enumerable.Range(0, values.Length), values, name, color, markers, dash);
    }

    /// <summary>
    /// A line with a filled band from <paramref name="lower"/> to <paramref name="upper"/> in the
    /// same color, e.g. the mean over seeds with mean ± std.
    /// </summary>
    public static Figure LineWithBand<TX, TY>(IEnumerable<TX> x, IEnumerable<TY> y, IEnumerable<TY> lower,
        IEnumerable<TY> upper, string? name = null, string? color = null, bool markers = false, double bandOpacity = 0.2)
        where TX : INumberBase<TX> where TY : INumberBase<TY> =>
        Of(new LineTrace(PlotlyJson.Doubles(x, nameof(x)), PlotlyJson.Doubles(y, nameof(y)))
        {
            Name = name, Color = color, Markers = markers,
            Band = new Band(PlotlyJson.Doubles(lower, nameof(lower)), PlotlyJson.Doubles(upper, nameof(upper)), bandOpacity),
        });

    /// <summary>Points at (x, y); <paramref name="text"/> labels each point on hover.</summary>
    public static Figure Scatter<TX, TY>(IEnumerable<TX> x, IEnumerable<TY> y, string? name = null, string? color = null,
        double size = 7, IEnumerable<string>? text = null)
        where TX : INumberBase<TX> where TY : INumberBase<TY> =>
        Of(new ScatterTrace(PlotlyJson.Doubles(x, nameof(x)), PlotlyJson.Doubles(y, nameof(y)))
        {
            Name = name, Color = color, Size = size, Text = text?.ToArray(),
        });

    /// <summary>One bar per category; <paramref name="errors"/> draws error bars of that half-length.</summary>
    public static Figure Bar<T>(IEnumerable<string> categories, IEnumerable<T> values, string? name = null,
        string? color = null, IEnumerable<T>? errors = null, bool horizontal = false) where T : INumberBase<T> =>
        Of(new BarTrace(categories.ToArray(), PlotlyJson.Doubles(values, nameof(values)))
        {
            Name = name, Color = color, Horizontal = horizontal,
            Errors = errors is null ? null : PlotlyJson.Doubles(errors, nameof(errors)),
        });

    /// <summary>The distribution of <paramref name="values"/> in at most <paramref name="bins"/> bins.</summary>
    public static Figure Histogram<T>(IEnumerable<T> values, int? bins = null, string? name = null, string? color = null,
        HistogramNorm norm = HistogramNorm.Count, double opacity = 1) where T : INumberBase<T> =>
        Of(new HistogramTrace(PlotlyJson.Doubles(values, nameof(values)))
        {
            Name = name, Color = color, Bins = bins, Norm = norm, Opacity = opacity,
        });

    /// <summary>A matrix as colored cells, <c>z[row, column]</c>.</summary>
    public static Figure Heatmap(double[,] z, IEnumerable<string>? x = null, IEnumerable<string>? y = null,
        string colorScale = "Viridis", double? zMin = null, double? zMax = null, string? name = null) =>
        Of(new HeatmapTrace(z)
        {
            X = x?.ToArray(), Y = y?.ToArray(), ColorScale = colorScale, ZMin = zMin, ZMax = zMax, Name = name,
        });

    /// <summary>A matrix given as rows (all of the same length).</summary>
    public static Figure Heatmap(IEnumerable<IEnumerable<double>> rows, IEnumerable<string>? x = null,
        IEnumerable<string>? y = null, string colorScale = "Viridis", double? zMin = null, double? zMax = null,
        string? name = null)
    {
        double[][] r = rows.Select(row => row.ToArray()).ToArray();
        int columns = r.Length == 0 ? 0 : r[0].Length;
        var z = new double[r.Length, columns];
        for (int i = 0; i < r.Length; i++)
        {
            if (r[i].Length != columns)
                throw new ArgumentException($"Heatmap rows must have the same length: row 0 has {columns} values, row {i} has {r[i].Length}.");
            for (int j = 0; j < columns; j++) z[i, j] = r[i][j];
        }
        return Heatmap(z, x, y, colorScale, zMin, zMax, name);
    }
}
