using System.Text.Json.Nodes;
using US3L.Cli.Bench;

namespace US3L.Cli.Tests;

public class InterleavedComparisonTests
{
    [Fact]
    public void Each_round_runs_ours_then_the_reference_twice_then_ours_after_one_warm_up_per_side()
    {
        var calls = new List<string>();
        var prepared = new List<int>();
        InterleavedComparison.Run(k => { calls.Add($"ours{k}"); return 1; }, k => { calls.Add($"ref{k}"); return 1; },
            new ComparisonPlan(Rounds: 2, Steps: 3, Warmup: 5), prepared.Add);
        Assert.Equal(new[] { "ours5", "ref5", "ours3", "ref3", "ref3", "ours3", "ours3", "ref3", "ref3", "ours3" }, calls);
        Assert.Equal(new[] { InterleavedComparison.WarmupRound, 0, 1 }, prepared);
    }

    [Fact]
    public void A_rounds_speed_is_over_both_its_slots_and_its_ratio_is_ours_over_the_reference()
    {
        // Round 0: ours 100 then 300 (harmonic mean 150), reference 50 and 50; round 1: ours 200 and 200, reference 100 and 400 (160).
        var ours = new Queue<double>(new double[] { 100, 300, 200, 200 });
        var reference = new Queue<double>(new double[] { 50, 50, 100, 400 });
        var result = InterleavedComparison.Run(_ => ours.Dequeue(), _ => reference.Dequeue(), new ComparisonPlan(2, 1, 0));
        static void Close(double[] expected, IReadOnlyList<double> actual) =>
            Assert.Equal(expected, actual, (a, b) => Math.Abs(a - b) < 1e-9 * Math.Abs(a));
        Close(new[] { 150.0, 200.0 }, result.Ours);
        Close(new[] { 50.0, 160.0 }, result.Reference!);
        Close(new[] { 3.0, 1.25 }, result.Ratios!);
    }

    [Fact]
    public void The_line_holds_medians_and_min_max_ranges()
    {
        var result = new ComparisonResult(new double[] { 10, 30, 20 }, new double[] { 10, 10, 40 });
        var line = new JsonObject();
        result.WriteTo(line);
        Assert.Equal(3, line["rounds"]!.GetValue<int>());
        Assert.Equal(20.0, line["ours_img_s"]!.GetValue<double>());
        Assert.Equal("[10,30]", line["ours_range"]!.ToJsonString());
        Assert.Equal(10.0, line["pytorch_img_s"]!.GetValue<double>());
        Assert.Equal("[10,40]", line["pytorch_range"]!.ToJsonString());
        // Per-round ratios 1, 3 and 0.5: the median of the ratios, not the ratio of the medians (2).
        Assert.Equal(1.0, line["ratio"]!.GetValue<double>());
        Assert.Equal("[0.5,3]", line["ratio_range"]!.ToJsonString());
    }

    [Fact]
    public void Without_a_reference_only_our_side_runs_and_the_reference_fields_are_null()
    {
        var runs = 0;
        var result = InterleavedComparison.Run(_ => { runs++; return 7; }, null, new ComparisonPlan(3, 2, 1));
        Assert.Equal(1 + 3 * 2, runs);
        var line = new JsonObject();
        result.WriteTo(line);
        Assert.Null(line["pytorch_img_s"]);
        Assert.Null(line["ratio"]);
        Assert.Equal(7.0, line["ours_img_s"]!.GetValue<double>());
    }

    [Theory]
    [InlineData(new double[] { 5 }, 5)]
    [InlineData(new double[] { 4, 1, 3, 2 }, 2.5)]
    [InlineData(new double[] { 9, 1, 5 }, 5)]
    public void Median_of_odd_and_even_counts(double[] values, double median) => Assert.Equal(median, ComparisonResult.Median(values));

    [Fact]
    public void A_plan_refuses_nonpositive_rounds_and_steps()
    {
        Assert.Equal("--rounds must be a positive integer, got 0.", Assert.Throws<ArgumentException>(() => ComparisonPlan.Checked(0, 1, 0)).Message);
        Assert.Equal("--steps must be a positive integer, got -1.", Assert.Throws<ArgumentException>(() => ComparisonPlan.Checked(1, -1, 0)).Message);
    }
}
