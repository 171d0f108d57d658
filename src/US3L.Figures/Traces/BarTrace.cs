using System.Text.Json.Nodes;

namespace US3L.Figures;

/// <summary>One bar per category, optionally with error bars (e.g. std over seeds).</summary>
public sealed record BarTrace(IReadOnlyList<string> Categories, IReadOnlyList<double> Values) : Trace
{
    /// <summary>Half-length of each error bar; null draws none.</summary>
    public IReadOnlyList<double>? Errors { get; init; }

    /// <summary>Bars along x instead of up y (categories on the y axis).</summary>
    public bool Horizontal { get; init; }

    internal override void Validate()
    {
        SameLength("values", Categories.Count, Values.Count, "categories");
        if (Errors is not null) SameLength("errors", Categories.Count, Errors.Count, "categories");
    }

    internal override IEnumerable<JsonObject> ToPlotly(string color, string xAxis, string yAxis)
    {
        Validate();
        JsonObject trace = Common("bar", xAxis, yAxis);
        JsonArray categories = PlotlyJson.Array(Categories), values = PlotlyJson.Array(Values);
        trace["orientation"] = Horizontal ? "h" : "v";
        trace["x"] = Horizontal ? values : categories;
        trace["y"] = Horizontal ? categories : values;
        trace["marker"] = new JsonObject { ["color"] = color };
        if (Errors is not null)
            trace[Horizontal ? "error_x" : "error_y"] = new JsonObject
            {
                ["type"] = "data", ["array"] = PlotlyJson.Array(Errors), ["visible"] = true,
            };
        yield return trace;
    }
}
