using US3L.Sampling;
using US3L.Training;

namespace US3L.Tests.Training;

public class SamplingRulesTests
{
    [Fact]
    public void Each_sampler_kind_maps_to_its_rule_with_the_configs_range_and_count()
    {
        var c = new PretrainConfig { Epochs = 8, NumWidths = 4, WidthMin = 0.5, WidthMax = 0.9 };
        Assert.Equal(new SandwichSampling(4, 0.5, 0.9), SamplingRules.For(c with { Sampler = SamplerKind.Sandwich }));
        Assert.Equal(new UniformSampling(4, 0.5, 0.9), SamplingRules.For(c with { Sampler = SamplerKind.Uniform }));
        Assert.Equal(new DynamicSamplingA(8, 4, 0.5, 0.9), SamplingRules.For(c with { Sampler = SamplerKind.DynamicA }));
        var fixedRule = Assert.IsType<FixedWidths>(SamplingRules.For(c with { Sampler = SamplerKind.Fixed, FixedWidths = new[] { 0.5, 1.0 } }));
        Assert.Equal(new[] { 0.5, 1.0 }, fixedRule.Widths);
    }

    [Fact]
    public void The_dynamic_rule_knows_the_runs_length_so_its_mean_is_science_4_2s()
    {
        var rule = SamplingRules.For(new PretrainConfig { Sampler = SamplerKind.DynamicA, Epochs = 400 });
        Assert.Equal(2.5, rule.MeanExpectedPasses(400), 12);
        Assert.Equal((1.0 + 7.0 / 3 + 11.0 / 6 + 1.5) / 4, rule.MeanExpectedCost(400), 12);
    }

    [Fact]
    public void A_missing_config_is_refused() => Assert.Throws<ArgumentNullException>(() => SamplingRules.For(null!));
}
