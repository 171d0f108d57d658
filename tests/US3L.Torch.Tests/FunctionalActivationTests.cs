using F = US3L.Torch.torch.nn.functional;

namespace US3L.Torch.Tests;

public class FunctionalActivationTests
{
    private static Tensor Randn(int seed, params long[] shape) => torch.randn(shape, torch.float64, generator: new Generator(seed));

    [Fact]
    public void ActivationGradients()
    {
        // Scaled by 3 so hardswish, hardsigmoid and relu6 see both their flat and sloped parts.
        GradCheck.Check(x => F.relu(x[0]) + F.relu6(x[0] * 3) + F.silu(x[0]) + F.hardswish(x[0] * 3) + F.hardsigmoid(x[0] * 3),
            new[] { Randn(1, 3, 5) });
        GradCheck.Check(x => F.gelu(x[0]) + F.gelu(x[0], "tanh") + F.leaky_relu(x[0], 0.2) + F.elu(x[0]) + F.hardtanh(x[0], -0.5, 0.5),
            new[] { Randn(2, 3, 5) });
        GradCheck.Check(x => F.sigmoid(x[0]) + F.tanh(x[0]), new[] { Randn(3, 4) });
    }

    [Fact]
    public void SoftmaxGradientsAndNormalization()
    {
        GradCheck.Check(x => F.softmax(x[0], 1), new[] { Randn(1, 2, 4, 3) });
        GradCheck.Check(x => F.log_softmax(x[0], -1), new[] { Randn(2, 3, 4) });
        using var scope = torch.NewDisposeScope();
        var x = Randn(3, 2, 5);
        var sums = F.softmax(x, 1).sum(1).ToArray<double>();
        Assert.All(sums, s => Assert.Equal(1.0, s, 12));
        Assert.True((F.log_softmax(x, 1) - F.softmax(x, 1).log()).abs().max().item<double>() < 1e-12);
        Assert.Equal(ScalarType.Float32, F.softmax(x, 1, torch.float32).dtype);
    }

    [Fact]
    public void InPlaceActivationsWriteIntoTheInput()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new[] { -1.0, 2.0, 7.0 });
        Assert.Same(x, F.relu6(x, inplace: true));
        Assert.Equal(new[] { 0.0, 2.0, 6.0 }, x.ToArray<double>());
        Assert.Equal(new[] { -0.01, 2.0 }, F.leaky_relu(torch.tensor(new[] { -1.0, 2.0 })).ToArray<double>());
    }

    [Fact]
    public void GeluRejectsAnUnknownApproximation()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Contains("\"tanh\"", Assert.Throws<ArgumentException>(() => F.gelu(Randn(1, 2), "erf")).Message);
    }

    [Fact]
    public void DropoutZeroesAndRescalesInTrainingOnly()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(new long[] { 1000 }, torch.float64);
        torch.manual_seed(5);
        var y = F.dropout(x, 0.25).ToArray<double>();
        Assert.All(y, v => Assert.True(v == 0 || Math.Abs(v - 1 / 0.75) < 1e-12));
        var kept = y.Count(v => v != 0);
        Assert.InRange(kept, 650, 850);

        torch.manual_seed(5);
        Assert.Equal(y, F.dropout(x, 0.25).ToArray<double>());
        Assert.Equal(x.ToArray<double>(), F.dropout(x, 0.25, training: false).ToArray<double>());
        Assert.All(F.dropout(x, 1.0).ToArray<double>(), v => Assert.Equal(0.0, v));
        Assert.Throws<ArgumentException>(() => F.dropout(x, 1.5));
    }

    [Fact]
    public void DropoutGradientIsTheScaledMask()
    {
        using var scope = torch.NewDisposeScope();
        var x = Randn(1, 50).requires_grad_(true);
        var y = F.dropout(x, 0.5);
        y.sum().backward();
        var mask = y.detach().ne(0).to(torch.float64) * 2.0;
        Assert.Equal(mask.ToArray<double>(), x.grad!.ToArray<double>());
    }
}
