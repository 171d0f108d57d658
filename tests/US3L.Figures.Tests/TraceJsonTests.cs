using System.Text.Json.Nodes;
using US3L.Figures;

namespace US3L.Figures.Tests;

public class TraceJsonTests
{
    [Fact]
    public void Line_writes_a_scatter_trace_in_lines_mode_with_numbers_of_any_type()
    {
        var fig = Figure.Line(new[] { 1, 2, 3 }, new[] { 0.5f, 0.25f, 0.125f }, name: "1.0x", dash: LineDash.Dash);
        JsonObject t = Json.Data(fig).Single()!.AsObject();
        Assert.Equal("scatter", (string?)t["type"]);
        Assert.Equal("lines", (string?)t["mode"]);
        Assert.Equal("1.0x", (string?)t["name"]);
        Assert.Equal([1, 2, 3], Json.Doubles(t["x"]));
        Assert.Equal([0.5, 0.25, 0.125], Json.Doubles(t["y"]));
        Assert.Equal("dash", (string?)t["line"]!["dash"]);
        Assert.Equal(Palette.Default[0], (string?)t["line"]!["color"]);
        Assert.Equal("x", (string?)t["xaxis"]);
    }

    [Fact]
    public void Line_of_y_alone_numbers_x_from_zero_and_markers_change_the_mode()
    {
        JsonObject t = Json.Data(Figure.Line(new[] { 3.0, 1.0 }, markers: true)).Single()!.AsObject();
        Assert.Equal([0, 1], Json.Doubles(t["x"]));
        Assert.Equal("lines+markers", (string?)t["mode"]);
    }

    [Fact]
    public void Non_finite_values_become_null_gaps()
    {
        JsonObject t = Json.Data(Figure.Line(new[] { 1.0, double.NaN, double.PositiveInfinity })).Single()!.AsObject();
        JsonArray y = t["y"]!.AsArray();
        Assert.Equal(1.0, y[0]!.GetValue<double>());
        Assert.Null(y[1]);
        Assert.Null(y[2]);
    }

    [Fact]
    public void Scatter_writes_markers_with_size_and_hover_text()
    {
        var fig = Figure.Scatter(new[] { 1.0, 2.0 }, new[] { 3.0, 4.0 }, name: "pts", color: "red", size: 9, text: ["a", "b"]);
        JsonObject t = Json.Data(fig).Single()!.AsObject();
        Assert.Equal("markers", (string?)t["mode"]);
        Assert.Equal(9, t["marker"]!["size"]!.GetValue<double>());
        Assert.Equal("red", (string?)t["marker"]!["color"]);
        Assert.Equal(["a", "b"], t["text"]!.AsArray().Select(v => (string)v!).ToArray());
    }

    [Fact]
    public void Bar_writes_categories_values_and_error_bars_and_turns_for_horizontal()
    {
        JsonObject v = Json.Data(Figure.Bar(["knn", "linear"], new[] { 0.8, 0.9 }, errors: new[] { 0.01, 0.02 })).Single()!.AsObject();
        Assert.Equal("bar", (string?)v["type"]);
        Assert.Equal("v", (string?)v["orientation"]);
        Assert.Equal(["knn", "linear"], v["x"]!.AsArray().Select(x => (string)x!).ToArray());
        Assert.Equal([0.01, 0.02], Json.Doubles(v["error_y"]!["array"]));

        JsonObject h = Json.Data(Figure.Bar(["a"], new[] { 2 }, horizontal: true)).Single()!.AsObject();
        Assert.Equal("h", (string?)h["orientation"]);
        Assert.Equal([2], Json.Doubles(h["x"]));
        Assert.Equal("a", (string?)h["y"]![0]);
    }

    [Fact]
    public void Histogram_writes_values_bins_and_normalization()
    {
        var fig = Figure.Histogram(new[] { 1, 2, 2, 3 }, bins: 3, norm: HistogramNorm.Density, opacity: 0.5)
            .And(Figure.Histogram(new[] { 5.0 })).WithBarMode(BarMode.Overlay);
        JsonArray data = Json.Data(fig);
        Assert.Equal("histogram", (string?)data[0]!["type"]);
        Assert.Equal([1, 2, 2, 3], Json.Doubles(data[0]!["x"]));
        Assert.Equal(3, data[0]!["nbinsx"]!.GetValue<int>());
        Assert.Equal("probability density", (string?)data[0]!["histnorm"]);
        Assert.Null(data[1]!["histnorm"]);
        Assert.Equal(Palette.Default[1], (string?)data[1]!["marker"]!["color"]);
        Assert.Equal("overlay", (string?)Json.Layout(fig)["barmode"]);
    }

    [Fact]
    public void Heatmap_writes_rows_labels_and_color_scale_and_takes_no_palette_color()
    {
        var fig = Figure.Heatmap(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } }, x: ["a", "b", "c"], y: ["r0", "r1"], zMin: 0, zMax: 6)
            .And(Figure.Line(new[] { 1.0 }));
        JsonArray data = Json.Data(fig);
        JsonObject h = data[0]!.AsObject();
        Assert.Equal("heatmap", (string?)h["type"]);
        Assert.Equal([4, 5, 6], Json.Doubles(h["z"]![1]));
        Assert.Equal(3, h["x"]!.AsArray().Count);
        Assert.Equal("Viridis", (string?)h["colorscale"]);
        Assert.Equal(6, h["zmax"]!.GetValue<double>());
        Assert.Equal(Palette.Default[0], (string?)data[1]!["line"]!["color"]);
    }

    [Fact]
    public void Heatmap_from_ragged_rows_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Figure.Heatmap([[1.0, 2.0], [3.0]]));
        Assert.Contains("same length", e.Message);
    }

    [Fact]
    public void Mismatched_lengths_are_refused_with_a_message_naming_them()
    {
        var e = Assert.Throws<ArgumentException>(() => Figure.Line(new[] { 1, 2 }, new[] { 1.0 }));
        Assert.Contains("y has 1 values but x has 2", e.Message);
        Assert.Throws<ArgumentException>(() => Figure.Bar(["a", "b"], new[] { 1.0 }));
        Assert.Throws<ArgumentException>(() => Figure.Heatmap(new double[2, 2], x: ["only one"]));
    }

    [Fact]
    public void Palette_colors_follow_trace_order_and_explicit_colors_are_kept()
    {
        var fig = Figure.Line(new[] { 1.0 }, name: "a").And(Figure.Line(new[] { 1.0 }, name: "b", color: "black"))
            .And(Figure.Line(new[] { 1.0 }, name: "c"));
        JsonArray data = Json.Data(fig);
        Assert.Equal(Palette.Default[0], (string?)data[0]!["line"]!["color"]);
        Assert.Equal("black", (string?)data[1]!["line"]!["color"]);
        Assert.Equal(Palette.Default[1], (string?)data[2]!["line"]!["color"]);
    }
}
