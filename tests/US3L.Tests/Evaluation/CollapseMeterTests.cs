using US3L.Evaluation;

namespace US3L.Tests.Evaluation;

public class CollapseMeterTests
{
    [Fact]
    public void GaussianFeaturesLookHealthy()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(7);
        var s = CollapseMeter.Measure(torch.randn(new long[] { 2048, 64 }, generator: g));
        Assert.Equal(1 / 8.0, s.HealthyStd, 12);
        Assert.InRange(s.FeatureStd * Math.Sqrt(64), 0.97, 1.03);
        Assert.InRange(s.CollapseLevel, 0, 0.03);
        Assert.InRange(s.MeanCosine, -0.01, 0.01);
        Assert.InRange(s.EffectiveRank, 0.9 * 64, 64);
        Assert.False(s.Alarm);
        Assert.Equal((2048, 64), (s.Count, s.Dim));
    }

    [Fact]
    public void IdenticalRowsAreCompleteCollapse()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(1);
        var row = torch.randn(new long[] { 1, 32 }, generator: g);
        var s = CollapseMeter.Measure(row.expand(256, 32).contiguous());
        Assert.Equal(1.0, s.CollapseLevel, 6);
        Assert.Equal(0.0, s.FeatureStd, 6);
        Assert.Equal(1.0, s.MeanCosine, 6);
        Assert.Equal(1.0, s.EffectiveRank, 6);
        Assert.True(s.Alarm);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public void RankKFeaturesHaveEffectiveRankNearK(int k)
    {
        // Rows drawn from a k-dimensional subspace of R^64 with isotropic coefficients.
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(k);
        var basis = torch.linalg.svd(torch.randn(new long[] { 64, k }, generator: g), full_matrices: false).U.t();
        var z = torch.randn(new long[] { 4096, k }, generator: g).mm(basis);
        var s = CollapseMeter.Measure(z);
        Assert.InRange(s.EffectiveRank, 0.85 * k, k + 1e-6);
        Assert.True(k == 1 || s.EffectiveRank > k - 1, $"effective rank {s.EffectiveRank} for k = {k}");
    }

    [Fact]
    public void AlarmFiresBelowOneFifthOfTheHealthyStd()
    {
        // A shared direction plus a little spread: every row is nearly the same unit vector.
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(3);
        var shared = torch.randn(new long[] { 1, 128 }, generator: g);
        var s = CollapseMeter.Measure(shared.add(torch.randn(new long[] { 512, 128 }, generator: g).mul(0.01)));
        Assert.True(s.FeatureStd < 0.2 * s.HealthyStd);
        Assert.True(s.Alarm);
        Assert.True(s.CollapseLevel > 0.8);
        Assert.True(s.MeanCosine > 0.99);
    }

    [Fact]
    public void NeedsAMatrixWithTwoRows()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<ArgumentException>(() => CollapseMeter.Measure(torch.randn(1, 8)));
        Assert.Throws<ArgumentException>(() => CollapseMeter.Measure(torch.randn(4)));
    }
}
