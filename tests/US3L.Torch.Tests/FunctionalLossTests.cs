using F = US3L.Torch.torch.nn.functional;

namespace US3L.Torch.Tests;

public class FunctionalLossTests
{
    private static Tensor Randn(int seed, params long[] shape) => torch.randn(shape, torch.float64, generator: new Generator(seed));
    private static Tensor Labels(params long[] values) => torch.tensor(values);

    [Fact]
    public void CrossEntropyGradients()
    {
        using var scope = torch.NewDisposeScope();
        var target = Labels(0, 2, 1, 2, 3);
        var weight = torch.tensor(new[] { 0.5, 1.0, 2.0, 1.5 });
        GradCheck.Check(x => F.cross_entropy(x[0], target), new[] { Randn(1, 5, 4) });
        GradCheck.Check(x => F.cross_entropy(x[0], target, weight, ignore_index: 2, label_smoothing: 0.1), new[] { Randn(2, 5, 4) });
        GradCheck.Check(x => F.cross_entropy(x[0], target, reduction: "none", label_smoothing: 0.3), new[] { Randn(3, 5, 4) });
        GradCheck.Check(x => F.cross_entropy(x[0], F.softmax(x[1], 1), reduction: "sum"), new[] { Randn(4, 3, 4), Randn(5, 3, 4) });
        GradCheck.Check(x => F.nll_loss(F.log_softmax(x[0], 1), target, weight), new[] { Randn(6, 5, 4) });
    }

    [Fact]
    public void CrossEntropyMatchesItsDefinition()
    {
        using var scope = torch.NewDisposeScope();
        var logits = Randn(1, 3, 4);
        var target = Labels(1, 3, 0);
        var logp = F.log_softmax(logits, 1).ToArray<double>();
        var expected = -(logp[0 * 4 + 1] + logp[1 * 4 + 3] + logp[2 * 4 + 0]) / 3;
        Assert.Equal(expected, F.cross_entropy(logits, target).item<double>(), 12);
        // An ignored target drops out of the sum and of the mean's count.
        var ignored = F.cross_entropy(logits, Labels(1, -100, 0)).item<double>();
        Assert.Equal(-(logp[1] + logp[8]) / 2, ignored, 12);
        // Probability targets equal to one-hot give the index loss.
        var probs = F.one_hot(target, 4).to(torch.float64);
        Assert.Equal(expected, F.cross_entropy(logits, probs).item<double>(), 12);
    }

    [Fact]
    public void CrossEntropyValidatesArguments()
    {
        using var scope = torch.NewDisposeScope();
        var logits = Randn(1, 3, 4);
        Assert.Contains("reduction", Assert.Throws<ArgumentException>(() => F.cross_entropy(logits, Labels(0, 1, 2), reduction: "avg")).Message);
        Assert.Contains("int64", Assert.Throws<ArgumentException>(() => F.cross_entropy(logits, Labels(0, 1, 2).to(torch.int32))).Message);
        Assert.Contains("[4]", Assert.Throws<ArgumentException>(() => F.cross_entropy(logits, Labels(0, 1, 2), torch.ones(3))).Message);
        Assert.Contains("label_smoothing", Assert.Throws<ArgumentException>(() => F.cross_entropy(logits, Labels(0, 1, 2), label_smoothing: 2)).Message);
        Assert.Throws<TorchException>(() => F.cross_entropy(logits, Labels(0, 1, 9)).item<double>());
    }

    [Fact]
    public void RegressionLossGradients()
    {
        GradCheck.Check(x => F.mse_loss(x[0], x[1]), new[] { Randn(1, 3, 4), Randn(2, 3, 4) });
        GradCheck.Check(x => F.l1_loss(x[0], x[1], "sum"), new[] { Randn(1, 3, 4), Randn(2, 3, 4) });
        GradCheck.Check(x => F.smooth_l1_loss(x[0], x[1], "none", beta: 0.5), new[] { Randn(1, 3, 4), Randn(2, 3, 4) });
    }

    [Fact]
    public void SmoothL1IsQuadraticInsideBetaAndLinearOutside()
    {
        using var scope = torch.NewDisposeScope();
        var d = torch.tensor(new[] { 0.2, -3.0 });
        var loss = F.smooth_l1_loss(d, torch.zeros(new long[] { 2 }, torch.float64), "none", beta: 0.5).ToArray<double>();
        Assert.Equal(0.5 * 0.04 / 0.5, loss[0], 12);
        Assert.Equal(3.0 - 0.25, loss[1], 12);
    }

    [Fact]
    public void BinaryCrossEntropyWithLogitsGradients()
    {
        using var scope = torch.NewDisposeScope();
        var target = torch.rand(new long[] { 3, 4 }, torch.float64, generator: new Generator(3));
        var posWeight = torch.tensor(new[] { 0.5, 1.0, 2.0, 3.0 });
        GradCheck.Check(x => F.binary_cross_entropy_with_logits(x[0], target, pos_weight: posWeight), new[] { Randn(1, 3, 4) });
        // The target is differentiable too; the element weight is not (libtorch refuses it).
        var weight = Randn(4, 3, 4).abs();
        GradCheck.Check(x => F.binary_cross_entropy_with_logits(x[0], x[1].sigmoid(), weight, "none"), new[] { Randn(1, 3, 4), Randn(2, 3, 4) });

        var z = torch.tensor(new[] { 0.3 });
        var t = torch.tensor(new[] { 1.0 });
        var expected = -Math.Log(1 / (1 + Math.Exp(-0.3)));
        Assert.Equal(2 * expected, F.binary_cross_entropy_with_logits(z, t, pos_weight: torch.tensor(new[] { 2.0 })).item<double>(), 12);
        Assert.Contains("shape", Assert.Throws<ArgumentException>(() => F.binary_cross_entropy_with_logits(z, torch.ones(2))).Message);
    }

    [Fact]
    public void KlDivGradientsAndBatchMean()
    {
        GradCheck.Check(x => F.kl_div(F.log_softmax(x[0], 1), F.softmax(x[1], 1), "batchmean"), new[] { Randn(1, 3, 4), Randn(2, 3, 4) });
        using var scope = torch.NewDisposeScope();
        var p = F.log_softmax(Randn(3, 2, 5), 1);
        var q = F.softmax(Randn(4, 2, 5), 1);
        Assert.Equal(F.kl_div(p, q, "sum").item<double>() / 2, F.kl_div(p, q, "batchmean").item<double>(), 12);
    }

    [Fact]
    public void OneHotEncodesIndices()
    {
        using var scope = torch.NewDisposeScope();
        var encoded = F.one_hot(Labels(2, 0), 3);
        Assert.Equal(new long[] { 2, 3 }, encoded.shape);
        Assert.Equal(new long[] { 0, 0, 1, 1, 0, 0 }, encoded.ToArray<long>());
        Assert.Equal(new long[] { 2, 3 }, F.one_hot(Labels(2, 0)).shape);
        Assert.Contains("int64", Assert.Throws<ArgumentException>(() => F.one_hot(torch.ones(2))).Message);
        Assert.Throws<TorchException>(() => F.one_hot(Labels(5), 3));
    }
}
