using System.Text.Json.Nodes;

namespace US3L.Figures;

/// <summary>
/// A matrix as colored cells: <c>Z[row, column]</c>, row 0 at the bottom (plotly's convention;
/// reverse the y axis with <c>WithYAxis(reversed: true)</c> for matrix order).
/// </summary>
public sealed record HeatmapTrace(double[,] Z) : Trace
{
    /// <summary>Column labels; null numbers them.</summary>
    public IReadOnlyList<string>? X { get; init; }
    /// <summary>Row labels; null numbers them.</summary>
    public IReadOnlyList<string>? Y { get; init; }
    /// <summary>A plotly color scale name: Viridis, RdBu, Greys, Blues, ...</summary>
    public string ColorScale { get; init; } = "Viridis";
    public double? ZMin { get; init; }
    public double? ZMax { get; init; }
    public bool ShowScale { get; init; } = true;

    internal override bool UsesPalette => false;

    internal override void Validate()
    {
        if (X is not null) SameLength("x labels", Z.GetLength(1), X.Count, "z's columns");
        if (Y is not null) SameLength("y labels", Z.GetLength(0), Y.Count, "z's rows");
        if (ZMin > ZMax) throw new ArgumentException($"Heatmap zMin ({ZMin}) must not exceed zMax ({ZMax}).");
    }

    internal override IEnumerable<JsonObject> ToPlotly(string color, string xAxis, string yAxis)
    {
        Validate();
        JsonObject trace = Common("heatmap", xAxis, yAxis);
        var rows = new JsonArray();
        for (int r = 0; r < Z.GetLength(0); r++)
        {
            var row = new double[Z.GetLength(1)];
            for (int c = 0; c < row.Length; c++) row[c] = Z[r, c];
            rows.Add(PlotlyJson.Array(row));
        }
        trace["z"] = rows;
        if (X is not null) trace["x"] = PlotlyJson.Array(X);
        if (Y is not null) trace["y"] = PlotlyJson.Array(Y);
        trace["colorscale"] = ColorScale;
        if (ZMin is double zmin) trace["zmin"] = zmin;
        if (ZMax is double zmax) trace["zmax"] = zmax;
        trace["showscale"] = ShowScale;
        yield return trace;
    }
}
