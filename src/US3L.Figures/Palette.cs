namespace US3L.Figures;

/// <summary>Colors given to traces that do not name one, in order.</summary>
public static class Palette
{
    /// <summary>plotly's (and matplotlib's) default category colors.</summary>
    public static IReadOnlyList<string> Default { get; } =
    [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ];
}
