using US3L.Losses;
using US3L.Tests.Data;

namespace US3L.Tests.Losses;

public class MocoV3LossTests
{
    [Fact]
    public void Orthonormal_example_matches_the_hand_computed_value()
    {
        // q = k = I₂: logits I/τ, so each row's CE is log(1 + e^{−1/τ}); times 2τ.
        using var scope = torch.NewDisposeScope();
        var eye = torch.eye(2, dtype: torch.float64);
        Assert.Equal(0.4 * Math.Log(1 + Math.Exp(-5)), MocoV3Loss.Loss(eye, eye).item<double>(), 12);
    }

    [Fact]
    public void Cross_view_sums_both_orders()
    {
        using var scope = torch.NewDisposeScope();
        var (q1, q2, k1, k2) = (LossTestData.Randn(3, 4, 1), LossTestData.Randn(3, 4, 2), LossTestData.Randn(3, 4, 3), LossTestData.Randn(3, 4, 4));
        var expected = MocoV3Loss.Loss(q1, k2).item<double>() + MocoV3Loss.Loss(q2, k1).item<double>();
        Assert.Equal(expected, MocoV3Loss.CrossView(q1, q2, k1, k2).item<double>(), 12);
    }

    [Fact]
    public void Gradient_passes_a_float64_check_and_keys_get_none()
    {
        GradCheck.Check(x => MocoV3Loss.Loss(x[0], x[1]), new[] { LossTestData.Randn(3, 4, 1), LossTestData.Randn(3, 4, 2) },
            differentiable: new[] { true, false });
        using var scope = torch.NewDisposeScope();
        var q = LossTestData.Randn(3, 4, 1).requires_grad_();
        var k = LossTestData.Randn(3, 4, 2).requires_grad_();
        MocoV3Loss.Loss(q, k).backward();
        Assert.Null(k.grad);
    }

    [Fact]
    public void Matches_moco_v3s_contrastive_loss_in_pytorch()
    {
        using var scope = torch.NewDisposeScope();
        var q = LossTestData.Randn(5, 3, 31).requires_grad_();
        var k = LossTestData.Randn(5, 3, 32);
        var loss = MocoV3Loss.Loss(q, k, 0.2);
        loss.backward();
        var script = $$"""
            import torch, torch.nn as nn
            q = torch.tensor({{LossTestData.PyList(q.detach())}}, dtype=torch.float64, requires_grad=True)
            k = torch.tensor({{LossTestData.PyList(k)}}, dtype=torch.float64)
            T = 0.2
            qn, kn = nn.functional.normalize(q, dim=1), nn.functional.normalize(k, dim=1)
            logits = torch.einsum('nc,mc->nm', [qn, kn]) / T
            labels = torch.arange(logits.shape[0], dtype=torch.long)
            loss = nn.CrossEntropyLoss()(logits, labels) * (2 * T)
            loss.backward()
            print(repr(loss.item()))
            print(" ".join(repr(v) for v in q.grad.flatten().tolist()))
            """;
        var lines = Python.Run(script).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(LossTestData.ParseDoubles(lines[0])[0], loss.item<double>(), 12);
        var expectedGrad = LossTestData.ParseDoubles(lines[1]);
        var grad = q.grad!.ToArray<double>();
        for (var i = 0; i < grad.Length; i++) Assert.Equal(expectedGrad[i], grad[i], 12);
    }
}
