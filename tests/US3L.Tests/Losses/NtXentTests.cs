using US3L.Losses;
using US3L.Tests.Data;

namespace US3L.Tests.Losses;

public class NtXentTests
{
    /// <summary>science.md 3.4's definition written out with loops over the 2B anchors, in double.</summary>
    private static double Reference(Tensor a, Tensor c, double tau)
    {
        var x = LossTestData.Rows(a).Concat(LossTestData.Rows(c)).Select(LossTestData.Normalize).ToArray();
        var n = x.Length;
        var b = n / 2;
        var total = 0.0;
        for (var i = 0; i < n; i++)
        {
            var partner = i < b ? i + b : i - b;
            var denominator = 0.0;
            for (var j = 0; j < n; j++)
                if (j != i) denominator += Math.Exp(LossTestData.Dot(x[i], x[j]) / tau);
            total += -Math.Log(Math.Exp(LossTestData.Dot(x[i], x[partner]) / tau) / denominator);
        }
        return total / n;
    }

    [Fact]
    public void Orthonormal_example_matches_the_hand_computed_value()
    {
        // A = C = I₂: every anchor sees its positive at cosine 1 and two candidates at cosine 0,
        // so each term is log(1 + 2e^{−1/τ}).
        using var scope = torch.NewDisposeScope();
        var eye = torch.eye(2, dtype: torch.float64);
        Assert.Equal(Math.Log(1 + 2 * Math.Exp(-2)), NtXent.Loss(eye, eye).item<double>(), 12);
        Assert.Equal(Math.Log(1 + 2 * Math.Exp(-10)), NtXent.Loss(eye, eye, tau: 0.1).item<double>(), 12);
    }

    [Theory]
    [InlineData(3, 4, 0.5)]
    [InlineData(5, 2, 0.2)]
    public void Random_inputs_match_the_loop_reference(int batch, int dim, double tau)
    {
        using var scope = torch.NewDisposeScope();
        var (a, c) = (LossTestData.Randn(batch, dim, 11), LossTestData.Randn(batch, dim, 12));
        Assert.Equal(Reference(a, c, tau), NtXent.Loss(a, c, tau).item<double>(), 11);
    }

    [Fact]
    public void Gradient_flows_through_a_as_anchor_and_as_candidate()
    {
        // The finite differences perturb A in both roles, so a gradient that ignored the C anchors'
        // denominators would fail this check.
        GradCheck.Check(x => NtXent.Loss(x[0], x[1]), new[] { LossTestData.Randn(3, 4, 1), LossTestData.Randn(3, 4, 2) },
            differentiable: new[] { true, false });
    }

    [Fact]
    public void With_the_partners_gradient_both_views_pass_a_float64_check()
    {
        // Plain SimCLR: both views are online, so the finite differences perturb C too.
        GradCheck.Check(x => NtXent.Loss(x[0], x[1], partnerGradient: true), new[] { LossTestData.Randn(3, 4, 1), LossTestData.Randn(3, 4, 2) },
            differentiable: new[] { true, true });
    }

    [Fact]
    public void The_partners_gradient_is_the_one_sided_gradient_of_the_swapped_loss()
    {
        // NTX is symmetric in its two arguments, so dNTX(A, C)/dC = dNTX(C, A_detached)/dC: what the
        // former "sum minus detached half" form computed, now without the trick.
        using var scope = torch.NewDisposeScope();
        var a = LossTestData.Randn(4, 3, 5).requires_grad_();
        var c = LossTestData.Randn(4, 3, 6).requires_grad_();
        NtXent.Loss(a, c, 0.3, partnerGradient: true).backward();
        var (ga, gc) = (a.grad!.clone(), c.grad!.clone());
        a.grad = null;
        c.grad = null;
        (NtXent.Loss(a, c, 0.3) + NtXent.Loss(c, a, 0.3) - NtXent.Loss(c, a, 0.3).detach()).backward();
        Assert.True((ga - a.grad!).abs().max().item<double>() < 1e-12);
        Assert.True((gc - c.grad!).abs().max().item<double>() < 1e-12);
    }

    [Fact]
    public void Cross_view_and_distill_gradients_pass_a_float64_check()
    {
        var inputs = new[] { LossTestData.Randn(3, 4, 1), LossTestData.Randn(3, 4, 2), LossTestData.Randn(3, 4, 3), LossTestData.Randn(3, 4, 4) };
        GradCheck.Check(x => NtXent.CrossView(x[0], x[1], x[2], x[3]), inputs, differentiable: new[] { true, true, false, false });
        GradCheck.Check(x => NtXent.Distill(x[0], x[1], x[2], x[3], tau: 0.3), inputs, differentiable: new[] { true, true, false, false });
    }

    [Fact]
    public void The_partner_tensor_gets_no_gradient()
    {
        using var scope = torch.NewDisposeScope();
        var a = LossTestData.Randn(3, 4, 1).requires_grad_();
        var c = LossTestData.Randn(3, 4, 2).requires_grad_();
        NtXent.Loss(a, c).backward();
        Assert.NotNull(a.grad);
        Assert.Null(c.grad);
    }

    [Fact]
    public void Distillation_repulsion_depends_on_the_students_own_features()
    {
        // Guideline G2: with student–student pairs in the matrix, changing one student row changes
        // the gradient of another student row even though its positive target is unchanged.
        using var scope = torch.NewDisposeScope();
        var t = LossTestData.Randn(4, 3, 9);
        Tensor GradOfRow0(Tensor s)
        {
            var leaf = s.detach().clone().requires_grad_();
            NtXent.Loss(leaf, t).backward();
            return leaf.grad!.select(0, 0).clone();
        }
        var s = LossTestData.Randn(4, 3, 8);
        var moved = s.clone();
        moved.select(0, 3).mul_(-1.0);
        Assert.True((GradOfRow0(s) - GradOfRow0(moved)).abs().max().item<double>() > 1e-3);
    }

    [Fact]
    public void Matches_a_straightforward_pytorch_implementation()
    {
        using var scope = torch.NewDisposeScope();
        var a = LossTestData.Randn(4, 5, 21).requires_grad_();
        var c = LossTestData.Randn(4, 5, 22);
        var loss = NtXent.Loss(a, c, 0.5);
        loss.backward();
        var script = $$"""
            import torch, torch.nn.functional as F
            a = torch.tensor({{LossTestData.PyList(a.detach())}}, dtype=torch.float64, requires_grad=True)
            c = torch.tensor({{LossTestData.PyList(c)}}, dtype=torch.float64)
            tau, b = 0.5, a.shape[0]
            x = torch.cat([F.normalize(a, dim=1), F.normalize(c.detach(), dim=1)])
            sim = torch.exp(x @ x.t() / tau)
            sim = sim * (1 - torch.eye(2 * b, dtype=torch.float64))
            pos = torch.exp((x * torch.cat([x[b:], x[:b]])).sum(1) / tau)
            loss = (-torch.log(pos / sim.sum(1))).mean()
            loss.backward()
            print(repr(loss.item()))
            print(" ".join(repr(v) for v in a.grad.flatten().tolist()))
            """;
        var lines = Python.Run(script).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(LossTestData.ParseDoubles(lines[0])[0], loss.item<double>(), 12);
        var expectedGrad = LossTestData.ParseDoubles(lines[1]);
        var grad = a.grad!.ToArray<double>();
        for (var i = 0; i < grad.Length; i++) Assert.Equal(expectedGrad[i], grad[i], 12);
    }

    [Fact]
    public void A_non_positive_temperature_is_rejected()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.zeros(2, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => NtXent.Loss(x, x, 0));
    }
}
