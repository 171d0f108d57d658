using US3L.Figures;

namespace US3L.Notebook.Tests;

/// <summary>Arm summaries on disk, the collected table, its sorting and its plots.</summary>
public class GridTableTests
{
    private static ArmSummary Arm(string head, string momentum, double[] knn, double seconds, double? linear = null) => new(
        $"g distill_head={head} ema_momentum={momentum}",
        new[] { new KeyValuePair<string, string>("distill_head", head), new KeyValuePair<string, string>("ema_momentum", momentum) },
        "fashion-mnist", "smoke", 0, "kNN k = 20 protocol",
        new[] { 1.0, 0.75, 0.5, 0.25 }.Select((w, i) => new WidthAccuracy(w, (long)(1e6 * w * w), knn[i], linear)).ToArray(), seconds);

    private static GridTable Table() => new(new[] { "distill_head", "ema_momentum" }, new[]
    {
        Arm("separate", "0.98", new[] { 0.80, 0.78, 0.76, 0.70 }, 30),
        Arm("separate", "0.9", new[] { 0.81, 0.79, 0.77, 0.74 }, 20),
        Arm("shared", "0.98", new[] { 0.79, 0.77, 0.75, 0.60 }, 40),
        Arm("shared", "0.9", new[] { 0.60, 0.50, 0.40, 0.30 }, 10),
    });

    [Fact]
    public void A_summary_round_trips_through_summary_json_in_the_demo_shape()
    {
        var dir = Directory.CreateTempSubdirectory("us3l-summary-").FullName;
        try
        {
            var summary = Arm("shared", "0.9", new[] { 0.6, 0.5, 0.4, 0.3 }, 12.5);
            summary.Write(dir);
            var json = File.ReadAllText(Path.Combine(dir, ArmSummary.FileName));
            foreach (var key in new[] { "\"dataset\"", "\"profile\"", "\"seed\"", "\"protocol\"", "\"results\"", "\"model\"", "\"width\"", "\"knn_top1\"", "\"macs\"", "\"axes\"", "\"train_seconds\"" })
                Assert.Contains(key, json);
            Assert.DoesNotContain("linear_top1", json);
            var back = ArmSummary.Read(Path.Combine(dir, ArmSummary.FileName));
            Assert.Equal(summary.Label, back.Label);
            Assert.Equal(summary.Axes, back.Axes);
            Assert.Equal(summary.Results, back.Results);
            Assert.Equal(12.5, back.TrainSeconds);
            Assert.Equal(0.45, back.MeanKnn, 9);

            var withProbe = Arm("shared", "0.9", new[] { 0.6, 0.5, 0.4, 0.3 }, 1, linear: 0.7);
            withProbe.Write(dir);
            Assert.All(ArmSummary.Read(Path.Combine(dir, ArmSummary.FileName)).Results, r => Assert.Equal(0.7, r.LinearTop1));

            File.WriteAllText(Path.Combine(dir, "broken.json"), "{\"dataset\": \"x\"}");
            Assert.Contains("not an arm summary", Assert.Throws<InvalidDataException>(() => ArmSummary.Read(Path.Combine(dir, "broken.json"))).Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_table_has_axis_width_mean_and_time_columns()
    {
        var table = Table();
        Assert.Equal(new[] { "distill_head", "ema_momentum", "knn@1.0", "knn@0.75", "knn@0.5", "knn@0.25", "mean", "train_seconds" }, table.Columns);
        Assert.Equal(0.74, table.Value(table.Rows[1], "knn@0.25"));
        Assert.Equal(0.9, table.Value(table.Rows[1], "ema_momentum"));
        Assert.Equal("g distill_head=separate ema_momentum=0.9", table.Best.Label);
        Assert.Contains("<table", Microsoft.DotNet.Interactive.Formatting.Formatter.ToDisplayString(table, "text/html"));
        Assert.StartsWith("distill_head", table.ToString());
    }

    [Fact]
    public void Sorting_orders_by_numbers_for_numeric_columns_and_by_text_otherwise()
    {
        var table = Table();
        Assert.Equal(new[] { 0.7775, 0.76, 0.7275, 0.45 }, table.SortBy("mean").Rows.Select(r => Math.Round(r.MeanKnn, 4)));
        Assert.Equal(new[] { 10.0, 20, 30, 40 }, table.SortBy("train_seconds", descending: false).Rows.Select(r => r.TrainSeconds));
        Assert.Equal(new[] { "0.9", "0.9", "0.98", "0.98" }, table.SortBy("ema_momentum", descending: false).Rows.Select(r => r.Axis("ema_momentum")));
        Assert.Equal(new[] { "shared", "shared", "separate", "separate" }, table.SortBy("distill_head").Rows.Select(r => r.Axis("distill_head")));
        Assert.Equal(0.74, table.SortBy("knn@0.25").Rows[0].Knn(0.25));
        var e = Assert.Throws<ArgumentException>(() => table.SortBy("accuracy"));
        Assert.Contains("knn@0.25", e.Message);
    }

    [Fact]
    public void Plots_draw_one_line_per_arm_and_one_bar_per_arm_at_a_width()
    {
        var table = Table();
        var lines = GridPlots.AccuracyVsWidth(table);
        Assert.Equal(4, lines.Traces.Count);
        Assert.Equal("distill_head=shared, ema_momentum=0.9", lines.Traces[3].Name);
        var bars = GridPlots.AtWidth(table, 0.25);
        var bar = Assert.IsType<BarTrace>(Assert.Single(bars.Traces));
        Assert.Equal(new[] { 0.70, 0.74, 0.60, 0.30 }, bar.Values);
        Assert.Throws<ArgumentException>(() => GridPlots.AtWidth(table, 0.3));
        Assert.Throws<ArgumentException>(() => GridPlots.AccuracyVsWidth(new GridTable(new[] { "x" }, Array.Empty<ArmSummary>())));
    }
}
