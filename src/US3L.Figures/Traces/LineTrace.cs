using System.Text.Json.Nodes;

namespace US3L.Figures;

/// <summary>How a line is drawn.</summary>
public enum LineDash { Solid, Dash, Dot, DashDot }

/// <summary>
/// A filled band between <paramref name="Lower"/> and <paramref name="Upper"/> around a line, e.g.
/// mean ± std over seeds. <paramref name="Opacity"/> is the fill's.
/// </summary>
public sealed record Band(IReadOnlyList<double> Lower, IReadOnlyList<double> Upper, double Opacity = 0.2);

/// <summary>y against x joined by a line, optionally with markers and an error band.</summary>
public sealed record LineTrace(IReadOnlyList<double> X, IReadOnlyList<double> Y) : Trace
{
    public bool Markers { get; init; }
    public LineDash Dash { get; init; }
    public double Width { get; init; } = 2;
    public Band? Band { get; init; }

    internal override void Validate()
    {
        SameLength("y", X.Count, Y.Count, "x");
        if (Band is null) return;
        SameLength("the band's lower bound", X.Count, Band.Lower.Count, "x");
        SameLength("the band's upper bound", X.Count, Band.Upper.Count, "x");
        if (Band.Opacity is < 0 or > 1) throw new ArgumentException($"Band opacity must be in [0, 1], got {Band.Opacity}.");
    }

    internal override IEnumerable<JsonObject> ToPlotly(string color, string xAxis, string yAxis)
    {
        Validate();
        // The plotly way: an invisible lower line, then the upper line filled down to it
        // ('tonexty' fills to the previous trace), then the line itself on top. The three share
        // a legend group so clicking the legend entry hides the band with its line.
        string group = Name ?? Guid.NewGuid().ToString("N");
        if (Band is not null)
        {
            yield return BandEdge(Band.Lower, color, xAxis, yAxis, group, fill: false);
            yield return BandEdge(Band.Upper, color, xAxis, yAxis, group, fill: true);
        }
        JsonObject line = Common("scatter", xAxis, yAxis);
        line["mode"] = Markers ? "lines+markers" : "lines";
        line["x"] = PlotlyJson.Array(X);
        line["y"] = PlotlyJson.Array(Y);
        line["line"] = new JsonObject { ["color"] = color, ["width"] = Width, ["dash"] = DashName(Dash) };
        if (Markers) line["marker"] = new JsonObject { ["color"] = color };
        line["legendgroup"] = group;
        yield return line;
    }

    private JsonObject BandEdge(IReadOnlyList<double> y, string color, string xAxis, string yAxis, string group, bool fill)
    {
        var edge = new JsonObject
        {
            ["type"] = "scatter",
            ["mode"] = "lines",
            ["x"] = PlotlyJson.Array(X),
            ["y"] = PlotlyJson.Array(y),
            ["xaxis"] = xAxis,
            ["yaxis"] = yAxis,
            ["line"] = new JsonObject { ["width"] = 0, ["color"] = color },
            ["showlegend"] = false,
            ["hoverinfo"] = "skip",
            ["legendgroup"] = group,
        };
        if (fill)
        {
            edge["fill"] = "tonexty";
            edge["fillcolor"] = color;
            edge["opacity"] = Band!.Opacity;
        }
        return edge;
    }

    private static string DashName(LineDash dash) => dash switch
    {
        LineDash.Dash => "dash",
        LineDash.Dot => "dot",
        LineDash.DashDot => "dashdot",
        _ => "solid",
    };
}
