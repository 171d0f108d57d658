using US3L.Sampling;

namespace US3L.Tests.Sampling;

public class DynamicSamplingATests
{
    [Theory]
    [InlineData(0, 1, 1.0)]
    [InlineData(99, 1, 1.0)]
    [InlineData(100, 2, 0.75)]
    [InlineData(199, 2, 0.75)]
    [InlineData(200, 3, 0.5)]
    [InlineData(299, 3, 0.5)]
    [InlineData(300, 4, 0.25)]
    [InlineData(399, 4, 0.25)]
    public void Phase_boundaries_for_400_epochs_follow_the_table(int epoch, int phase, double lowerBound)
    {
        var rule = new DynamicSamplingA(400);
        Assert.Equal(100, rule.PhaseLength);
        Assert.Equal(phase, rule.Phase(epoch));
        Assert.Equal(lowerBound, rule.LowerBound(epoch));
    }

    [Fact]
    public void Short_runs_split_into_floor_e_over_4_and_the_remainder_joins_phase_4()
    {
        Assert.Equal(new[] { 1, 1, 2, 2, 3, 3, 4, 4 }, Enumerable.Range(0, 8).Select(new DynamicSamplingA(8).Phase));
        Assert.Equal(new[] { 1, 1, 2, 2, 3, 3, 4, 4, 4, 4 }, Enumerable.Range(0, 10).Select(new DynamicSamplingA(10).Phase));
        Assert.Equal(new[] { 1, 2, 3, 4, 4, 4, 4 }, Enumerable.Range(0, 7).Select(new DynamicSamplingA(7).Phase));
    }

    [Fact]
    public void Lower_bound_follows_the_general_formula_for_another_range()
    {
        var rule = new DynamicSamplingA(12, MinWidth: 0.4, MaxWidth: 0.9);
        Assert.Equal(0.9, rule.LowerBound(0));
        Assert.Equal(0.4 + 2 * 0.5 / 3, rule.LowerBound(3), 15);
        Assert.Equal(0.4 + 0.5 / 3, rule.LowerBound(6), 15);
        Assert.Equal(0.4, rule.LowerBound(9));
    }

    [Fact]
    public void Each_phase_trains_the_listed_widths()
    {
        var sampler = new WidthSampler(new DynamicSamplingA(8), seed: 1);
        for (var epoch = 0; epoch < 8; epoch++)
            for (var it = 0; it < 50; it++)
            {
                var w = sampler.Next(epoch).Widths;
                if (epoch < 2)
                {
                    Assert.Equal(new[] { 1.0 }, w);
                    continue;
                }
                var lo = epoch < 4 ? 0.75 : epoch < 6 ? 0.5 : 0.25;
                Assert.Equal(3, w.Count);
                Assert.Equal(1.0, w[0]);
                Assert.Equal(lo, w[2]);
                Assert.InRange(w[1], lo, 1.0);
            }
    }

    [Fact]
    public void Fewer_than_four_epochs_are_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DynamicSamplingA(3).Phase(0));
        Assert.Contains("at least 4 epochs", ex.Message);
    }
}
