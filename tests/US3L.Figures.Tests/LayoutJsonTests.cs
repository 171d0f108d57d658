using System.Text.Json.Nodes;
using US3L.Figures;

namespace US3L.Figures.Tests;

public class LayoutJsonTests
{
    private static readonly double[] X = [0.25, 0.5, 1.0];

    [Fact]
    public void Error_band_is_two_edge_traces_filled_tonexty_under_the_line_in_one_color()
    {
        var fig = Figure.LineWithBand(X, new[] { 0.5, 0.6, 0.7 }, new[] { 0.4, 0.5, 0.6 }, new[] { 0.6, 0.7, 0.8 }, name: "mean ± std");
        JsonArray data = Json.Data(fig);
        Assert.Equal(3, data.Count);
        Assert.Equal(3, fig.PlotlyTraceCount);
        JsonObject lower = data[0]!.AsObject(), upper = data[1]!.AsObject(), line = data[2]!.AsObject();
        Assert.Equal([0.4, 0.5, 0.6], Json.Doubles(lower["y"]));
        Assert.Null(lower["fill"]);
        Assert.False(lower["showlegend"]!.GetValue<bool>());
        Assert.Equal([0.6, 0.7, 0.8], Json.Doubles(upper["y"]));
        Assert.Equal("tonexty", (string?)upper["fill"]);
        Assert.Equal(0.2, upper["opacity"]!.GetValue<double>());
        Assert.Equal(0, upper["line"]!["width"]!.GetValue<double>());
        Assert.Equal([0.5, 0.6, 0.7], Json.Doubles(line["y"]));
        Assert.True(line["showlegend"]!.GetValue<bool>());
        string color = (string)line["line"]!["color"]!;
        Assert.Equal(color, (string?)upper["fillcolor"]);
        Assert.All(data, t => Assert.Equal("mean ± std", (string?)t!["legendgroup"]));
    }

    [Fact]
    public void Title_axis_titles_legend_and_size_go_to_the_layout()
    {
        var fig = Figure.Line(X, X, name: "a").WithTitle("Accuracy vs width").WithXAxis("width", range: (0.25, 1))
            .WithYAxis("top-1", tickFormat: ".0%").WithLegend(LegendPlace.BottomRight).WithSize(600, 400);
        JsonObject layout = Json.Layout(fig);
        Assert.Equal("Accuracy vs width", (string?)layout["title"]!["text"]);
        Assert.Equal("width", (string?)layout["xaxis"]!["title"]!["text"]);
        Assert.Equal([0.25, 1], Json.Doubles(layout["xaxis"]!["range"]));
        Assert.Equal(".0%", (string?)layout["yaxis"]!["tickformat"]);
        Assert.Equal("right", (string?)layout["legend"]!["xanchor"]);
        Assert.Equal(600, layout["width"]!.GetValue<int>());
        Assert.Equal(400, layout["height"]!.GetValue<int>());
        Assert.False(Json.Layout(fig.WithLegend(LegendPlace.Hidden))["showlegend"]!.GetValue<bool>());
    }

    [Fact]
    public void Log_axis_sets_type_log_and_takes_its_range_in_data_units()
    {
        var fig = Figure.Line(X, new[] { 1e-3, 1e-2, 1e-1 }).WithYAxis(log: true, range: (1e-4, 1));
        JsonObject y = Json.Layout(fig)["yaxis"]!.AsObject();
        Assert.Equal("log", (string?)y["type"]);
        double[] range = Json.Doubles(y["range"]);
        Assert.Equal(-4, range[0], 12);
        Assert.Equal(0, range[1], 12);
        // Later calls change only what they name.
        JsonObject y2 = Json.Layout(fig.WithYAxis("loss"))["yaxis"]!.AsObject();
        Assert.Equal("log", (string?)y2["type"]);
        Assert.Equal("loss", (string?)y2["title"]!["text"]);
    }

    [Fact]
    public void Bad_ranges_are_refused()
    {
        var fig = Figure.Line(X);
        Assert.Throws<ArgumentException>(() => fig.WithXAxis(range: (1, 0)));
        var e = Assert.Throws<ArgumentException>(() => fig.WithYAxis(log: true, range: (0, 1)));
        Assert.Contains("positive", e.Message);
    }

    [Fact]
    public void Reversed_axis_autoranges_reversed()
    {
        JsonObject y = Json.Layout(Figure.Heatmap(new double[2, 2]).WithYAxis(reversed: true))["yaxis"]!.AsObject();
        Assert.Equal("reversed", (string?)y["autorange"]);
    }

    [Fact]
    public void Independent_grid_puts_each_panel_on_its_own_axes_with_titles()
    {
        var a = Figure.Line(X, X, name: "a").WithTitle("loss").WithYAxis(log: true);
        var b = Figure.Bar(["x", "y"], new[] { 1.0, 2.0 }).WithTitle("acc");
        var c = Figure.Line(X, X);
        var grid = Figure.Grid([a, b, c], columns: 2, title: "run");
        Assert.Equal(2, grid.Subplots!.Rows);
        JsonArray data = Json.Data(grid);
        Assert.Equal(["x", "x2", "x3"], data.Select(t => (string)t!["xaxis"]!).ToArray());
        Assert.Equal(["y", "y2", "y3"], data.Select(t => (string)t!["yaxis"]!).ToArray());
        JsonObject layout = Json.Layout(grid);
        Assert.Equal(2, layout["grid"]!["rows"]!.GetValue<int>());
        Assert.Equal(2, layout["grid"]!["columns"]!.GetValue<int>());
        Assert.Equal("independent", (string?)layout["grid"]!["pattern"]);
        Assert.Equal("log", (string?)layout["yaxis"]!["type"]);
        Assert.Null(layout["yaxis2"]!["type"]);
        Assert.NotNull(layout["xaxis3"]);
        Assert.Null(layout["xaxis2"]!["matches"]);
        JsonArray titles = layout["annotations"]!.AsArray();
        Assert.Equal(["loss", "acc"], titles.Select(t => (string)t!["text"]!).ToArray());
        Assert.Equal("x2 domain", (string?)titles[1]!["xref"]);
        Assert.Equal("run", (string?)layout["title"]!["text"]);
    }

    [Fact]
    public void Shared_axes_match_the_first_panel_and_label_ticks_once()
    {
        var p = Figure.Line(X, X);
        JsonObject layout = Json.Layout(Figure.Grid([p, p, p, p], columns: 2, shareX: true, shareY: true));
        Assert.Null(layout["xaxis"]!["matches"]);
        Assert.Equal("x", (string?)layout["xaxis4"]!["matches"]);
        Assert.Equal("y", (string?)layout["yaxis2"]!["matches"]);
        Assert.False(layout["xaxis"]!["showticklabels"]!.GetValue<bool>());   // top row
        Assert.Null(layout["xaxis3"]!["showticklabels"]);                     // bottom row
        Assert.False(layout["yaxis2"]!["showticklabels"]!.GetValue<bool>());  // second column
        Assert.Null(layout["yaxis3"]!["showticklabels"]);                     // first column
    }

    [Fact]
    public void Axis_settings_on_a_grid_apply_to_every_panel_and_grids_do_not_nest()
    {
        var p = Figure.Line(X, X);
        Figure grid = Figure.Grid([p, p]).WithYAxis(log: true);
        JsonObject layout = Json.Layout(grid);
        Assert.Equal("log", (string?)layout["yaxis"]!["type"]);
        Assert.Equal("log", (string?)layout["yaxis2"]!["type"]);
        Assert.Throws<InvalidOperationException>(() => Figure.Grid([grid]));
        Assert.Throws<InvalidOperationException>(() => grid.And(p));
    }

    [Fact]
    public void ToString_describes_the_figure_briefly()
    {
        var fig = Figure.Line(X, X, name: "1.0x").And(Figure.Bar(["a"], new[] { 1 })).WithTitle("t");
        Assert.Equal("Figure(\"t\", 2 traces: line 1.0x, bar)", fig.ToString());
    }

    [Fact]
    public void Json_inside_html_cannot_close_the_script_element()
    {
        string html = Figure.Line(X).WithTitle("</script><b>x</b>").ToHtml(includePlotlyJs: false);
        Assert.Equal(1, Json.Count(html, "</script>"));
        Assert.Contains("Plotly.newPlot", html);
    }
}
