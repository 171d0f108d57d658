using F = US3L.Torch.torch.nn.functional;

namespace US3L.Torch.Tests;

public class FunctionalNormTests
{
    private static Tensor Randn(int seed, params long[] shape) => torch.randn(shape, torch.float64, generator: new Generator(seed));
    private static Tensor Positive(int seed, params long[] shape) => torch.rand(shape, torch.float64, generator: new Generator(seed)) + 0.5;

    [Fact]
    public void BatchNormTrainingGradients()
    {
        GradCheck.Check(x => F.batch_norm(x[0], null, null, x[1], x[2], training: true), new[] { Randn(1, 3, 2, 2, 2), Randn(2, 2), Randn(3, 2) });
    }

    [Fact]
    public void BatchNormEvalGradients()
    {
        using var scope = torch.NewDisposeScope();
        var mean = Randn(4, 3);
        var variance = Positive(5, 3);
        GradCheck.Check(x => F.batch_norm(x[0], mean, variance, x[1], x[2], training: false), new[] { Randn(1, 2, 3, 2), Randn(2, 3), Randn(3, 3) });
    }

    [Fact]
    public void BatchNormTrainingUpdatesRunningStatisticsInPlace()
    {
        using var scope = torch.NewDisposeScope();
        var x = Randn(1, 4, 2, 3, 3);
        var mean = Randn(2, 2);
        var variance = Positive(3, 2);
        var oldMean = mean.clone();
        var oldVar = variance.clone();
        const double momentum = 0.3;
        var y = F.batch_norm(x, mean, variance, training: true, momentum: momentum);

        // Batch statistics per channel; the running variance takes the unbiased estimate.
        var batchMean = x.mean(new long[] { 0, 2, 3 });
        var centered = x - batchMean.view(1, 2, 1, 1);
        var n = 4 * 3 * 3;
        var biased = (centered * centered).mean(new long[] { 0, 2, 3 });
        var unbiased = biased * (n / (n - 1.0));
        AssertClose(oldMean * (1 - momentum) + batchMean * momentum, mean);
        AssertClose(oldVar * (1 - momentum) + unbiased * momentum, variance);
        // The output is normalized with the batch's biased variance, not the running one.
        AssertClose(centered / (biased.view(1, 2, 1, 1) + 1e-5).sqrt(), y);
    }

    [Fact]
    public void BatchNormEvalUsesRunningStatisticsAndLeavesThemAlone()
    {
        using var scope = torch.NewDisposeScope();
        var x = Randn(1, 3, 2, 2);
        var mean = Randn(2, 2);
        var variance = Positive(3, 2);
        var before = mean.clone();
        var y = F.batch_norm(x, mean, variance, Randn(4, 2), null, training: false, eps: 0.01);
        AssertClose(before, mean);
        Assert.Equal(new long[] { 3, 2, 2 }, y.shape);
    }

    [Fact]
    public void BatchNormValidatesArguments()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Contains("needs running_mean", Assert.Throws<ArgumentException>(() => F.batch_norm(Randn(1, 3, 2), null, null)).Message);
        Assert.Contains("both", Assert.Throws<ArgumentException>(() => F.batch_norm(Randn(1, 3, 2), Randn(2, 2), null, training: true)).Message);
        Assert.Contains("shape [2]", Assert.Throws<ArgumentException>(() => F.batch_norm(Randn(1, 3, 2), null, null, Randn(2, 3), training: true)).Message);
        Assert.Contains("more than 1 value", Assert.Throws<ArgumentException>(() => F.batch_norm(Randn(1, 1, 2), null, null, training: true)).Message);
    }

    [Fact]
    public void LayerNormGradients()
    {
        GradCheck.Check(x => F.layer_norm(x[0], new long[] { 2, 3 }, x[1], x[2]), new[] { Randn(1, 2, 2, 3), Randn(2, 2, 3), Randn(3, 2, 3) });
        GradCheck.Check(x => F.layer_norm(x[0], 4, eps: 1e-3), new[] { Randn(4, 3, 4) });
    }

    [Fact]
    public void LayerNormNamesAShapeMismatch()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => F.layer_norm(Randn(1, 2, 3), new long[] { 2 }));
        Assert.Contains("trailing dimensions", e.Message);
    }

    [Fact]
    public void GroupNormGradients()
    {
        GradCheck.Check(x => F.group_norm(x[0], 2, x[1], x[2]), new[] { Randn(1, 2, 4, 2, 2), Randn(2, 4), Randn(3, 4) });
    }

    [Fact]
    public void GroupNormNeedsADivisorOfTheChannels()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Contains("divisor", Assert.Throws<ArgumentException>(() => F.group_norm(Randn(1, 2, 6, 2), 4)).Message);
    }

    [Fact]
    public void NormalizeAndCosineSimilarityGradients()
    {
        GradCheck.Check(x => F.normalize(x[0]), new[] { Randn(1, 3, 4) });
        GradCheck.Check(x => F.normalize(x[0], p: 1, dim: 0), new[] { Randn(2, 3, 4) });
        GradCheck.Check(x => F.cosine_similarity(x[0], x[1]), new[] { Randn(3, 3, 5), Randn(4, 3, 5) });
    }

    [Fact]
    public void NormalizeGivesUnitRowsAndCosineSimilarityIsTheirDotProduct()
    {
        using var scope = torch.NewDisposeScope();
        var a = Randn(1, 4, 6);
        var b = Randn(2, 4, 6);
        var na = F.normalize(a);
        AssertClose(torch.ones(new long[] { 4 }, torch.float64), (na * na).sum(1));
        AssertClose((na * F.normalize(b)).sum(1), F.cosine_similarity(a, b));
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.True((expected - actual).abs().max().item<double>() < 1e-10, $"expected {expected}, got {actual}");
    }
}
