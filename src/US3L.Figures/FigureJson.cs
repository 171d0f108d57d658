using System.Text.Json;
using System.Text.Json.Nodes;

namespace US3L.Figures;

/// <summary>Writes a <see cref="Figure"/> as plotly.js's <c>{data, layout}</c>.</summary>
internal static class FigureJson
{
    /// <summary>Default height of one grid row (and of a single panel: plotly's 450 is set below).</summary>
    private const int RowHeight = 320;

    public static JsonObject Build(Figure figure) => new()
    {
        ["data"] = Data(figure),
        ["layout"] = Layout(figure),
    };

    public static int DefaultHeight(Figure figure) =>
        figure.Height ?? (figure.Subplots is { } s ? Math.Max(450, s.Rows * RowHeight + 80) : 450);

    public static JsonArray Data(Figure figure)
    {
        var data = new JsonArray();
        int paletteIndex = 0;
        IReadOnlyList<Figure> panels = figure.Subplots?.Panels ?? [figure];
        for (int p = 0; p < panels.Count; p++)
        {
            foreach (Trace trace in panels[p].Traces)
            {
                string color = trace.Color ?? (trace.UsesPalette ? Palette.Default[paletteIndex++ % Palette.Default.Count] : "");
                foreach (JsonObject t in trace.ToPlotly(color, AxisId("x", p), AxisId("y", p))) data.Add(t);
            }
        }
        return data;
    }

    private static JsonObject Layout(Figure figure)
    {
        var layout = new JsonObject();
        if (figure.Title is not null) layout["title"] = new JsonObject { ["text"] = figure.Title };
        LegendLayout.Apply(figure.Legend, layout);
        layout["barmode"] = figure.BarMode.ToString().ToLowerInvariant();
        if (figure.Width is int w) layout["width"] = w;
        layout["height"] = DefaultHeight(figure);
        if (figure.Subplots is { } grid) WriteGrid(grid, layout);
        else
        {
            layout["xaxis"] = figure.XAxis.ToPlotly();
            layout["yaxis"] = figure.YAxis.ToPlotly();
        }
        return layout;
    }

    private static void WriteGrid(Subplots grid, JsonObject layout)
    {
        layout["grid"] = new JsonObject
        {
            ["rows"] = grid.Rows, ["columns"] = grid.Columns, ["pattern"] = "independent", ["roworder"] = "top to bottom",
        };
        var annotations = new JsonArray();
        for (int p = 0; p < grid.Panels.Count; p++)
        {
            Figure panel = grid.Panels[p];
            JsonObject x = panel.XAxis.ToPlotly(), y = panel.YAxis.ToPlotly();
            // Shared axes follow the first panel's and label their ticks once: x on the bottom
            // panel of each column, y on the first panel of each row.
            if (grid.ShareX && p > 0) x["matches"] = "x";
            if (grid.ShareX && p + grid.Columns < grid.Panels.Count) x["showticklabels"] = false;
            if (grid.ShareY && p > 0) y["matches"] = "y";
            if (grid.ShareY && p % grid.Columns != 0) y["showticklabels"] = false;
            layout[AxisId("xaxis", p)] = x;
            layout[AxisId("yaxis", p)] = y;
            if (panel.Title is not null)
                annotations.Add(new JsonObject
                {
                    ["text"] = panel.Title, ["showarrow"] = false,
                    ["xref"] = AxisId("x", p) + " domain", ["yref"] = AxisId("y", p) + " domain",
                    ["x"] = 0.5, ["y"] = 1.0, ["xanchor"] = "center", ["yanchor"] = "bottom",
                });
        }
        if (annotations.Count > 0) layout["annotations"] = annotations;
    }

    /// <summary>plotly names panel p's axes x, x2, x3, ... (and xaxis, xaxis2, ... in the layout).</summary>
    private static string AxisId(string prefix, int panel) => panel == 0 ? prefix : prefix + (panel + 1);

    /// <summary>Compact JSON whose &lt; &gt; &amp; are escaped, so it can sit inside a script tag.</summary>
    public static string Serialize(JsonNode node, bool indented = false) =>
        node.ToJsonString(new JsonSerializerOptions { WriteIndented = indented });
}
