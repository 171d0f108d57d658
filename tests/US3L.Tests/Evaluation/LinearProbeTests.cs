using US3L.Evaluation;

namespace US3L.Tests.Evaluation;

public class LinearProbeTests
{
    /// <summary>
    /// Three classes separable by the first two features (class means at angles 0, 120, 240
    /// degrees, radius 3, unit noise); features 2.. are pure noise of scale <paramref name="noiseScale"/>.
    /// </summary>
    private static FeatureBank Clusters(int n, int dim, long seed, double noiseScale = 1)
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(seed);
        var labels = torch.tensor(Enumerable.Range(0, n).Select(i => (long)(i % 3)).ToArray(), n);
        var angles = labels.to(ScalarType.Float32).mul(2 * Math.PI / 3);
        var x = torch.randn(new long[] { n, dim }, generator: g).mul(noiseScale);
        var informative = torch.stack(new[] { angles.cos(), angles.sin() }, 1).mul(3);
        x.narrow(1, 0, 2).copy_(informative.add(torch.randn(new long[] { n, 2 }, generator: g)));
        return new FeatureBank(x, labels, 3, $"clusters-{seed}");
    }

    [Fact]
    public void SeparableClustersAreLearned()
    {
        using var train = Clusters(600, 8, seed: 1);
        using var test = Clusters(300, 8, seed: 2);
        var r = LinearProbe.Fit(train, test, new LinearProbeOptions(Epochs: 10, BatchSize: 64));
        // Bayes accuracy with centres 3·√3 apart and unit noise is about 0.99.
        Assert.InRange(r.TrainTop1, 0.95, 1.0);
        Assert.InRange(r.TestTop1, 0.93, 1.0);
        Assert.Equal(8, r.Dim);
        Assert.Equal(10, r.EpochLoss.Count);
        Assert.True(r.EpochLoss[^1] < r.EpochLoss[0]);
    }

    [Fact]
    public void SameSeedGivesTheSameProbeAndOptionsSurviveInTheResult()
    {
        using var train = Clusters(200, 4, seed: 3);
        using var test = Clusters(100, 4, seed: 4);
        var o = new LinearProbeOptions(Epochs: 3, BatchSize: 32, Schedule: ProbeSchedule.MultiStep, Nesterov: true, Seed: 9);
        var a = LinearProbe.Fit(train, test, o);
        var b = LinearProbe.Fit(train, test, o);
        Assert.Equal(a.EpochLoss, b.EpochLoss);
        Assert.Equal(a.TestTop1, b.TestTop1);
        Assert.Same(o, a.Options);
        var other = LinearProbe.Fit(train, test, o with { Seed = 10 });
        Assert.NotEqual(a.EpochLoss, other.EpochLoss);
    }

    [Fact]
    public void FeatureCountReadsOnlyTheLeadingFeatures()
    {
        // With FeatureCount 2 the probe sees only the two informative features, F(w) of a slimmable backbone.
        using var train = Clusters(600, 40, seed: 5, noiseScale: 1);
        using var test = Clusters(300, 40, seed: 6, noiseScale: 1);
        var prefix = LinearProbe.Fit(train, test, new LinearProbeOptions(Epochs: 8, BatchSize: 64, FeatureCount: 2));
        Assert.Equal(2, prefix.Dim);
        Assert.InRange(prefix.TestTop1, 0.93, 1.0);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => LinearProbe.Fit(train, test, new LinearProbeOptions(FeatureCount: 41)));
        Assert.Contains("41", e.Message);
    }

    [Fact]
    public void RawFeaturesTrainWithoutStandardisation()
    {
        using var train = Clusters(600, 4, seed: 7);
        using var test = Clusters(300, 4, seed: 8);
        var r = LinearProbe.Fit(train, test, new LinearProbeOptions(Epochs: 6, BatchSize: 64, LearningRate: 0.05, Standardize: false));
        Assert.InRange(r.TestTop1, 0.93, 1.0);
    }

    [Fact]
    public void BadOptionsAreRejected()
    {
        using var train = Clusters(30, 4, seed: 1);
        using var test = Clusters(30, 5, seed: 2);
        Assert.Throws<ArgumentException>(() => LinearProbe.Fit(train, test));
        Assert.Throws<ArgumentOutOfRangeException>(() => LinearProbe.Fit(train, train, new LinearProbeOptions(Epochs: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LinearProbe.Fit(train, train, new LinearProbeOptions(LearningRate: -1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LinearProbe.Fit(train, train, new LinearProbeOptions(Momentum: 1)));
        Assert.Throws<ArgumentException>(() => LinearProbe.Fit(train, train, new LinearProbeOptions(Momentum: 0, Nesterov: true)));
    }
}
