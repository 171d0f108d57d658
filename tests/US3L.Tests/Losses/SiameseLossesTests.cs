using US3L.Losses;

namespace US3L.Tests.Losses;

public class SiameseLossesTests
{
    [Fact]
    public void SimSiam_is_the_cross_view_negative_cosine_with_stop_gradient()
    {
        using var scope = torch.NewDisposeScope();
        var (p1, p2) = (LossTestData.Randn(4, 3, 1).requires_grad_(), LossTestData.Randn(4, 3, 2).requires_grad_());
        var (z1, z2) = (LossTestData.Randn(4, 3, 3).requires_grad_(), LossTestData.Randn(4, 3, 4).requires_grad_());
        var loss = SiameseLosses.SimSiam(p1, p2, z1, z2);
        var expected = 0.5 * (NegativeCosine.Loss(p1, z2) + NegativeCosine.Loss(p2, z1));
        Assert.Equal(expected.item<double>(), loss.item<double>(), 14);
        loss.backward();
        Assert.Null(z1.grad);
        Assert.Null(z2.grad);
        Assert.NotNull(p1.grad);
    }

    [Fact]
    public void Byol_forms_differ_by_the_constant_and_factor_of_two()
    {
        using var scope = torch.NewDisposeScope();
        var (p1, p2, t1, t2) = (LossTestData.Randn(4, 3, 1), LossTestData.Randn(4, 3, 2), LossTestData.Randn(4, 3, 3), LossTestData.Randn(4, 3, 4));
        var negCos = SiameseLosses.Byol(p1, p2, t1, t2).item<double>();
        var twoMinus = SiameseLosses.Byol(p1, p2, t1, t2, CosineLossForm.TwoMinusTwoCosine).item<double>();
        Assert.Equal(2 + 2 * negCos, twoMinus, 12);
    }

    [Fact]
    public void Byol_gradient_passes_a_float64_check()
    {
        GradCheck.Check(x => SiameseLosses.Byol(x[0], x[1], x[2], x[3]),
            new[] { LossTestData.Randn(3, 4, 1), LossTestData.Randn(3, 4, 2), LossTestData.Randn(3, 4, 3), LossTestData.Randn(3, 4, 4) },
            differentiable: new[] { true, true, false, false });
    }
}
