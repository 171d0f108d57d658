using US3L.Sampling;

namespace US3L.Tests.Sampling;

public class WidthSamplerTests
{
    [Fact]
    public void Sandwich_holds_max_min_and_uniform_draws_sorted_descending()
    {
        foreach (var n in new[] { 2, 3, 4, 6 })
        {
            var sampler = new WidthSampler(new SandwichSampling(n, 0.25, 1.0), seed: n);
            for (var i = 0; i < 200; i++)
            {
                var w = sampler.Next(0).Widths;
                Assert.Equal(n, w.Count);
                Assert.Equal(1.0, w[0]);
                Assert.Equal(0.25, w[^1]);
                Assert.Equal(w.OrderByDescending(x => x), w);
                // The intended rule: exactly one max and one min step (no n ≥ 4 duplication).
                Assert.Single(w, x => x == 1.0);
                Assert.Single(w, x => x == 0.25);
            }
        }
    }

    [Theory]
    [InlineData(3, 3, 1)]
    [InlineData(4, 6, 2)]
    [InlineData(5, 9, 3)]
    public void Reference_sandwich_repeats_max_and_min_as_the_reference_loop_does(int n, int widths, int maxSteps)
    {
        var rule = new ReferenceSandwichSampling(n, 0.25, 1.0);
        var sampler = new WidthSampler(rule, seed: n);
        for (var i = 0; i < 100; i++)
        {
            var w = sampler.Next(0).Widths;
            Assert.Equal(widths, w.Count);
            Assert.Equal(widths, rule.ExpectedPasses(0));
            Assert.Equal(w.OrderByDescending(x => x), w);
            Assert.Equal(maxSteps, w.Count(x => x == 1.0));
            Assert.Equal(maxSteps, w.Count(x => x == 0.25));
            Assert.Equal(n - 2, w.Count(x => x is > 0.25 and < 1.0));
        }
    }

    [Fact]
    public void Reference_sandwich_with_three_widths_draws_what_the_intended_rule_draws()
    {
        var reference = new WidthSampler(new ReferenceSandwichSampling(3, 0.25, 1.0), seed: 11);
        var intended = new WidthSampler(new SandwichSampling(3, 0.25, 1.0), seed: 11);
        for (var i = 0; i < 50; i++) Assert.Equal(intended.Next(0).Widths, reference.Next(0).Widths);
    }

    [Fact]
    public void Uniform_draws_n_widths_in_range_sorted_descending()
    {
        var sampler = new WidthSampler(new UniformSampling(4, 0.25, 1.0), seed: 3);
        for (var i = 0; i < 200; i++)
        {
            var w = sampler.Next(0).Widths;
            Assert.Equal(4, w.Count);
            Assert.All(w, x => Assert.InRange(x, 0.25, 1.0));
            Assert.Equal(w.OrderByDescending(x => x), w);
        }
    }

    [Fact]
    public void Fixed_widths_come_back_sorted_descending_every_time()
    {
        var sampler = new WidthSampler(new FixedWidths(new[] { 0.5, 1.0, 0.25, 0.75 }), seed: 0);
        Assert.Equal(new[] { 1.0, 0.75, 0.5, 0.25 }, sampler.Next(0).Widths);
        Assert.Equal(new[] { 1.0, 0.75, 0.5, 0.25 }, sampler.Next(7).Widths);
    }

    [Fact]
    public void The_draw_records_iteration_epoch_and_widths()
    {
        var sampler = new WidthSampler(new SandwichSampling(), seed: 1);
        sampler.Next(0);
        var draw = sampler.Next(4);
        Assert.Equal(1, draw.Iteration);
        Assert.Equal(4, draw.Epoch);
        Assert.Same(draw, sampler.Last);
        Assert.StartsWith("iteration 1, epoch 4: [1, ", draw.ToString());
    }

    [Fact]
    public void Same_seed_gives_the_same_widths_and_another_seed_differs()
    {
        static double[] Run(long seed)
        {
            var s = new WidthSampler(new SandwichSampling(4), seed);
            return Enumerable.Range(0, 20).SelectMany(_ => s.Next(0).Widths).ToArray();
        }
        Assert.Equal(Run(42), Run(42));
        Assert.NotEqual(Run(42), Run(43));
    }

    [Fact]
    public void Restoring_the_state_continues_identically()
    {
        var rule = new DynamicSamplingA(8);
        var uninterrupted = new WidthSampler(rule, seed: 9);
        var expected = Enumerable.Range(0, 40).Select(i => uninterrupted.Next(i / 5).Widths).ToList();

        var first = new WidthSampler(rule, seed: 9);
        for (var i = 0; i < 17; i++) first.Next(i / 5);
        var saved = first.State;
        Assert.Equal(new WidthSamplerState(9, 17), saved);

        var resumed = new WidthSampler(rule, seed: 12345);
        resumed.Restore(saved);
        for (var i = 17; i < 40; i++) Assert.Equal(expected[i], resumed.Next(i / 5).Widths);
    }

    [Fact]
    public void Invalid_ranges_and_epochs_are_rejected()
    {
        var sampler = new WidthSampler(new SandwichSampling(3, 0.5, 0.25), seed: 0);
        Assert.Throws<ArgumentException>(() => sampler.Next(0));
        Assert.Throws<ArgumentException>(() => new WidthSampler(new UniformSampling(3, 0.25, 1.5), 0).Next(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WidthSampler(new SandwichSampling(), 0).Next(-1));
        Assert.Throws<ArgumentException>(() => new WidthSampler(new FixedWidths(Array.Empty<double>()), 0).Next(0));
    }
}
