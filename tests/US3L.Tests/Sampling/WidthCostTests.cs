using US3L.Sampling;

namespace US3L.Tests.Sampling;

/// <summary>The cost table of science.md 4.2, from the expected-cost functions and from sampling.</summary>
public class WidthCostTests
{
    [Fact]
    public void Mean_square_of_a_uniform_width_follows_the_closed_form()
    {
        Assert.Equal((1 - Math.Pow(0.25, 3)) / (3 * 0.75), WidthCost.MeanSquareUniform(0.25, 1), 15);
        Assert.Equal(0.4375, WidthCost.MeanSquareUniform(0.25, 1), 15);
        Assert.Equal(0.25, WidthCost.MeanSquareUniform(0.5, 0.5));
    }

    [Fact]
    public void Sandwich_three_costs_three_passes_and_1_50()
    {
        var rule = new SandwichSampling(3, 0.25, 1.0);
        Assert.Equal(3, rule.MeanExpectedPasses(400));
        Assert.Equal(1.5, rule.MeanExpectedCost(400), 12);
    }

    [Fact]
    public void Sandwich_four_costs_four_passes_and_1_94()
    {
        var rule = new SandwichSampling(4, 0.25, 1.0);
        Assert.Equal(4, rule.MeanExpectedPasses(400));
        Assert.Equal(1.9375, rule.MeanExpectedCost(400), 12);
        Assert.Equal(1.94, Math.Round(rule.MeanExpectedCost(400), 2));
    }

    [Fact]
    public void Dynamic_a_costs_2_5_passes_and_1_67()
    {
        var rule = new DynamicSamplingA(400);
        Assert.Equal(2.5, rule.MeanExpectedPasses(400), 12);
        Assert.Equal(1.0, rule.ExpectedCost(0), 12);
        Assert.Equal(7.0 / 3, rule.ExpectedCost(100), 12);
        Assert.Equal(11.0 / 6, rule.ExpectedCost(200), 12);
        Assert.Equal(1.5, rule.ExpectedCost(300), 12);
        Assert.Equal(20.0 / 12, rule.MeanExpectedCost(400), 12);
        Assert.Equal(1.67, Math.Round(rule.MeanExpectedCost(400), 2));
    }

    [Theory]
    [InlineData("sandwich3")]
    [InlineData("sandwich4")]
    [InlineData("dynamicA")]
    [InlineData("uniform3")]
    public void Sampled_passes_and_cost_agree_with_the_expectation(string scheme)
    {
        const int epochs = 8, perEpoch = 2500;
        WidthSampling rule = scheme switch
        {
            "sandwich3" => new SandwichSampling(3),
            "sandwich4" => new SandwichSampling(4),
            "dynamicA" => new DynamicSamplingA(epochs),
            _ => new UniformSampling(3),
        };
        var sampler = new WidthSampler(rule, seed: 2024);
        var (passes, cost) = (0.0, 0.0);
        for (var e = 0; e < epochs; e++)
            for (var i = 0; i < perEpoch; i++)
            {
                var w = sampler.Next(e).Widths;
                passes += w.Count;
                cost += w.Sum(WidthCost.Pass);
            }
        var n = epochs * perEpoch;
        Assert.Equal(rule.MeanExpectedPasses(epochs), passes / n, 12);
        // The per-iteration cost has a standard deviation below 0.5, so the mean of 20k draws has a
        // standard error below 0.0035; 0.02 is about six of them.
        Assert.InRange(cost / n, rule.MeanExpectedCost(epochs) - 0.02, rule.MeanExpectedCost(epochs) + 0.02);
    }
}
