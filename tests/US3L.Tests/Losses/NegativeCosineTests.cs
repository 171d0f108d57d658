using US3L.Losses;

namespace US3L.Tests.Losses;

public class NegativeCosineTests
{
    // p = [[1, 0], [0, 2]], z = [[1, 1], [0, -1]]: cosines 1/√2 and −1.
    private static readonly double[,] P = { { 1, 0 }, { 0, 2 } };
    private static readonly double[,] Z = { { 1, 1 }, { 0, -1 } };

    [Fact]
    public void Negative_cosine_matches_a_hand_computed_value()
    {
        using var scope = torch.NewDisposeScope();
        var loss = NegativeCosine.Loss(torch.tensor(P), torch.tensor(Z)).item<double>();
        Assert.Equal(-(1 / Math.Sqrt(2) - 1) / 2, loss, 12);
    }

    [Fact]
    public void Two_minus_two_cosine_is_the_same_loss_rescaled()
    {
        using var scope = torch.NewDisposeScope();
        var meanCos = (1 / Math.Sqrt(2) - 1) / 2;
        var loss = NegativeCosine.Loss(torch.tensor(P), torch.tensor(Z), form: CosineLossForm.TwoMinusTwoCosine).item<double>();
        Assert.Equal(2 - 2 * meanCos, loss, 12);
    }

    [Fact]
    public void Two_minus_two_cosine_has_twice_the_gradient()
    {
        using var scope = torch.NewDisposeScope();
        var p1 = LossTestData.Randn(4, 3, 1).requires_grad_();
        var p2 = p1.detach().clone().requires_grad_();
        var z = LossTestData.Randn(4, 3, 2);
        NegativeCosine.Loss(p1, z).backward();
        NegativeCosine.Loss(p2, z, form: CosineLossForm.TwoMinusTwoCosine).backward();
        Assert.True((p2.grad! - 2 * p1.grad!).abs().max().item<double>() < 1e-12);
    }

    [Fact]
    public void Cross_view_pairs_view_one_with_target_two_and_skips_same_view_pairs()
    {
        using var scope = torch.NewDisposeScope();
        var (a1, a2, t1, t2) = (LossTestData.Randn(3, 4, 1), LossTestData.Randn(3, 4, 2), LossTestData.Randn(3, 4, 3), LossTestData.Randn(3, 4, 4));
        var expected = 0.0;
        foreach (var (a, t) in new[] { (a1, t2), (a2, t1) })
        {
            var (ar, tr) = (LossTestData.Rows(a), LossTestData.Rows(t));
            expected += 0.5 * -Enumerable.Range(0, 3).Average(i => LossTestData.Dot(LossTestData.Normalize(ar[i]), LossTestData.Normalize(tr[i])));
        }
        Assert.Equal(expected, NegativeCosine.CrossView(a1, a2, t1, t2).item<double>(), 12);
    }

    [Fact]
    public void Identical_directions_give_minus_one()
    {
        using var scope = torch.NewDisposeScope();
        var p = LossTestData.Randn(5, 3, 7);
        Assert.Equal(-1, NegativeCosine.Loss(p, p * 3.0).item<double>(), 12);
    }

    [Fact]
    public void Gradient_of_the_prediction_passes_a_float64_check()
    {
        GradCheck.Check(x => NegativeCosine.Loss(x[0], x[1]), new[] { LossTestData.Randn(3, 4, 1), LossTestData.Randn(3, 4, 2) },
            differentiable: new[] { true, false });
    }

    [Fact]
    public void Without_detaching_both_sides_pass_a_float64_check()
    {
        GradCheck.Check(x => NegativeCosine.Loss(x[0], x[1], detachTarget: false), new[] { LossTestData.Randn(3, 4, 1), LossTestData.Randn(3, 4, 2) });
    }

    [Fact]
    public void The_target_gets_no_gradient()
    {
        using var scope = torch.NewDisposeScope();
        var p = LossTestData.Randn(3, 4, 1).requires_grad_();
        var t = LossTestData.Randn(3, 4, 2).requires_grad_();
        NegativeCosine.CrossView(p, p * 2.0, t, t * 3.0).backward();
        Assert.NotNull(p.grad);
        Assert.Null(t.grad);
    }

    [Fact]
    public void Mismatched_shapes_are_rejected_with_both_shapes()
    {
        using var scope = torch.NewDisposeScope();
        var ex = Assert.Throws<ArgumentException>(() => NegativeCosine.Loss(torch.zeros(3, 4), torch.zeros(3, 5)));
        Assert.Contains("[3, 4]", ex.Message);
        Assert.Contains("[3, 5]", ex.Message);
        Assert.Throws<ArgumentException>(() => NegativeCosine.Loss(torch.zeros(3), torch.zeros(3)));
    }
}
