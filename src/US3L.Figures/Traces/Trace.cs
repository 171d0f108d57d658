using System.Text.Json.Nodes;

namespace US3L.Figures;

/// <summary>
/// One data series of a <see cref="Figure"/>. Traces are records: change one with <c>with</c>.
/// Each knows how to write itself as plotly.js trace objects.
/// </summary>
public abstract record Trace
{
    /// <summary>Legend entry and hover label.</summary>
    public string? Name { get; init; }

    /// <summary>Any CSS color; null takes the next color of <see cref="Palette.Default"/>.</summary>
    public string? Color { get; init; }

    public bool ShowLegend { get; init; } = true;

    /// <summary>Whether a trace without <see cref="Color"/> takes a palette color (a heatmap has a color scale instead).</summary>
    internal virtual bool UsesPalette => true;

    /// <summary>Throws a clear error when the data do not fit together (e.g. x and y of different lengths).</summary>
    internal abstract void Validate();

    /// <summary>The plotly traces this series is drawn as (a line with an error band is three).</summary>
    internal abstract IEnumerable<JsonObject> ToPlotly(string color, string xAxis, string yAxis);

    /// <summary>The fields every plotly trace shares.</summary>
    private protected JsonObject Common(string type, string xAxis, string yAxis)
    {
        var trace = new JsonObject { ["type"] = type };
        if (Name is not null) trace["name"] = Name;
        trace["showlegend"] = ShowLegend && Name is not null;
        trace["xaxis"] = xAxis;
        trace["yaxis"] = yAxis;
        return trace;
    }

    private protected static void SameLength(string what, int expected, int actual, string whatExpected)
    {
        if (expected != actual)
            throw new ArgumentException($"{what} has {actual} values but {whatExpected} has {expected}; they must have the same length.");
    }
}
