namespace US3L.Torch.Tests;

public class PointwiseGradTests
{
    private static Tensor Randn(params long[] shape) => torch.randn(shape, torch.float64, generator: new Generator(7));

    [Fact]
    public void BinaryArithmeticWithBroadcasting()
    {
        GradCheck.Check(x => x[0] * x[1] + x[0] / (x[1].abs() + 1) - x[1], new[] { Randn(3, 4), Randn(1, 4) });
    }

    [Fact]
    public void SmoothUnaryFunctions()
    {
        GradCheck.Check(x => x[0].exp() + x[0].sin() + x[0].tanh() + x[0].sigmoid() + (x[0].square() + 1).log() + (x[0].abs() + 0.5).sqrt(),
            new[] { Randn(2, 5) });
    }

    [Fact]
    public void LerpAndPow()
    {
        GradCheck.Check(x => x[0].lerp(x[1], 0.3) + (x[0].abs() + 1).pow(1.7), new[] { Randn(6), Randn(6) });
    }

    [Fact]
    public void WhereRoutesGradients()
    {
        GradCheck.Check(x => torch.where(x[0] > 0, x[0] * 2, x[1] * 3), new[] { Randn(8), Randn(8) });
    }
}
