using System.Text.Json.Nodes;

namespace US3L.Figures;

/// <summary>Where the legend goes.</summary>
public enum LegendPlace { Auto, Hidden, TopLeft, TopRight, BottomLeft, BottomRight, Below }

/// <summary>How bars and histograms of several traces share a category.</summary>
public enum BarMode { Group, Overlay, Stack }

internal static class LegendLayout
{
    /// <summary>Writes showlegend and legend into a plotly layout.</summary>
    public static void Apply(LegendPlace place, JsonObject layout)
    {
        if (place == LegendPlace.Hidden)
        {
            layout["showlegend"] = false;
            return;
        }
        if (place == LegendPlace.Auto) return;
        layout["showlegend"] = true;
        layout["legend"] = place switch
        {
            LegendPlace.TopLeft => Inside(0.01, 0.99, "left", "top"),
            LegendPlace.TopRight => Inside(0.99, 0.99, "right", "top"),
            LegendPlace.BottomLeft => Inside(0.01, 0.01, "left", "bottom"),
            LegendPlace.BottomRight => Inside(0.99, 0.01, "right", "bottom"),
            _ => new JsonObject { ["orientation"] = "h", ["x"] = 0, ["y"] = -0.15, ["xanchor"] = "left", ["yanchor"] = "top" },
        };
    }

    private static JsonObject Inside(double x, double y, string xanchor, string yanchor) => new()
    {
        ["x"] = x, ["y"] = y, ["xanchor"] = xanchor, ["yanchor"] = yanchor, ["bgcolor"] = "rgba(255,255,255,0.7)",
    };
}
