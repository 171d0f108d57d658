using System.Text.Json.Nodes;

namespace US3L.Figures;

/// <summary>What a histogram bar measures.</summary>
public enum HistogramNorm
{
    /// <summary>Number of values in the bin.</summary>
    Count,
    /// <summary>Fraction of values in the bin (bars sum to 1).</summary>
    Probability,
    /// <summary>Probability density (bar areas sum to 1).</summary>
    Density,
}

/// <summary>Distribution of values, binned by plotly in the browser.</summary>
public sealed record HistogramTrace(IReadOnlyList<double> Values) : Trace
{
    /// <summary>Maximum number of bins; null lets plotly choose.</summary>
    public int? Bins { get; init; }
    public HistogramNorm Norm { get; init; }
    /// <summary>Below 1 so overlaid histograms (<see cref="BarMode.Overlay"/>) stay readable.</summary>
    public double Opacity { get; init; } = 1;

    internal override void Validate()
    {
        if (Bins is <= 0) throw new ArgumentException($"Histogram bins must be positive, got {Bins}.");
        if (Opacity is < 0 or > 1) throw new ArgumentException($"Histogram opacity must be in [0, 1], got {Opacity}.");
    }

    internal override IEnumerable<JsonObject> ToPlotly(string color, string xAxis, string yAxis)
    {
        Validate();
        JsonObject trace = Common("histogram", xAxis, yAxis);
        trace["x"] = PlotlyJson.Array(Values);
        if (Bins is int bins) trace["nbinsx"] = bins;
        if (Norm != HistogramNorm.Count) trace["histnorm"] = Norm == HistogramNorm.Density ? "probability density" : "probability";
        trace["marker"] = new JsonObject { ["color"] = color };
        trace["opacity"] = Opacity;
        yield return trace;
    }
}
