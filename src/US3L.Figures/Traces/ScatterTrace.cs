using System.Text.Json.Nodes;

namespace US3L.Figures;

/// <summary>Points at (x, y), with optional hover text per point.</summary>
public sealed record ScatterTrace(IReadOnlyList<double> X, IReadOnlyList<double> Y) : Trace
{
    public double Size { get; init; } = 7;
    public double Opacity { get; init; } = 1;
    public IReadOnlyList<string>? Text { get; init; }

    internal override void Validate()
    {
        SameLength("y", X.Count, Y.Count, "x");
        if (Text is not null) SameLength("text", X.Count, Text.Count, "x");
        if (Size <= 0) throw new ArgumentException($"Marker size must be positive, got {Size}.");
    }

    internal override IEnumerable<JsonObject> ToPlotly(string color, string xAxis, string yAxis)
    {
        Validate();
        JsonObject trace = Common("scatter", xAxis, yAxis);
        trace["mode"] = "markers";
        trace["x"] = PlotlyJson.Array(X);
        trace["y"] = PlotlyJson.Array(Y);
        trace["marker"] = new JsonObject { ["color"] = color, ["size"] = Size, ["opacity"] = Opacity };
        if (Text is not null) trace["text"] = PlotlyJson.Array(Text);
        yield return trace;
    }
}
