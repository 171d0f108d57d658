using System.Text.Json.Nodes;

namespace US3L.Figures;

/// <summary>One axis: title, scale and range. Unset fields leave plotly's defaults (autorange).</summary>
public sealed record Axis
{
    public string? Title { get; init; }
    /// <summary>Logarithmic scale.</summary>
    public bool Log { get; init; }
    /// <summary>Shown range in data units (also on a log axis).</summary>
    public (double Min, double Max)? Range { get; init; }
    /// <summary>A d3 format for tick labels, e.g. ".0%" for accuracies in [0, 1].</summary>
    public string? TickFormat { get; init; }
    /// <summary>Largest value at the start (top for a y axis), e.g. for a heatmap in matrix order.</summary>
    public bool Reversed { get; init; }

    /// <summary>This axis with the given fields changed (null keeps a field).</summary>
    internal Axis With(string? title, bool? log, (double Min, double Max)? range, string? tickFormat, bool? reversed)
    {
        var axis = this with
        {
            Title = title ?? Title,
            Log = log ?? Log,
            Range = range ?? Range,
            TickFormat = tickFormat ?? TickFormat,
            Reversed = reversed ?? Reversed,
        };
        axis.Validate();
        return axis;
    }

    private void Validate()
    {
        if (Range is not { } r) return;
        if (!double.IsFinite(r.Min) || !double.IsFinite(r.Max) || r.Min >= r.Max)
            throw new ArgumentException($"An axis range must be finite with min < max, got ({r.Min}, {r.Max}).");
        if (Log && r.Min <= 0)
            throw new ArgumentException($"A log axis range must be positive, got ({r.Min}, {r.Max}).");
    }

    internal JsonObject ToPlotly()
    {
        var axis = new JsonObject();
        if (Title is not null) axis["title"] = new JsonObject { ["text"] = Title };
        if (Log) axis["type"] = "log";
        if (Range is { } r)
        {
            // plotly takes a log axis's range in log10 units; callers give data units.
            double lo = Log ? Math.Log10(r.Min) : r.Min, hi = Log ? Math.Log10(r.Max) : r.Max;
            axis["range"] = PlotlyJson.Array(Reversed ? [hi, lo] : [lo, hi]);
        }
        else if (Reversed) axis["autorange"] = "reversed";
        if (TickFormat is not null) axis["tickformat"] = TickFormat;
        return axis;
    }
}
