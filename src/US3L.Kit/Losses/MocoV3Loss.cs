using US3L.Torch;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Losses;

/// <summary>
/// MoCo v3's contrastive loss, the base and distillation loss of the ViT variant (science.md 3.4
/// "Heads", row 7 of 3.3). Every candidate is a teacher key, so the repulsive field stays
/// temporally consistent whichever width is trained (guideline G2).
/// </summary>
public static class MocoV3Loss
{
    /// <summary>MoCo v3's temperature for ViT.</summary>
    public const double DefaultTemperature = 0.2;

    /// <summary>
    /// 2τ · CE(g(q)·g(k)ᵀ/τ, arange(B)): q [B, d] online predictions (gradients flow), k [B, d]
    /// teacher keys of the same images in the same order (detached). The keys are those of the
    /// whole batch this process sees; with several processes the caller gathers them first and
    /// offsets the labels, as MoCo v3 does. Returns a scalar. The factor 2τ is MoCo v3's, which
    /// makes the gradient scale independent of τ.
    /// </summary>
    public static Tensor Loss(Tensor q, Tensor k, double tau = DefaultTemperature)
    {
        const string op = "MocoV3Loss";
        LossChecks.Pair(op, "q", q, "k", k);
        LossChecks.Temperature(op, tau);
        using var scope = torch.NewDisposeScope();
        var logits = F.normalize(q, dim: 1).mm(F.normalize(k.detach(), dim: 1).t()) / tau;
        var labels = torch.arange(q.size(0), torch.int64, q.device);
        return scope.MoveToOuter(F.cross_entropy(logits, labels) * (2 * tau));
    }

    /// <summary>
    /// Both view orders summed, as MoCo v3: L(q¹, k²) + L(q², k¹). All four tensors are [B, d].
    /// </summary>
    public static Tensor CrossView(Tensor q1, Tensor q2, Tensor k1, Tensor k2, double tau = DefaultTemperature)
    {
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(Loss(q1, k2, tau) + Loss(q2, k1, tau));
    }
}
