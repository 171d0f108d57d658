using US3L.Torch;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Losses;

/// <summary>
/// Which scale of the cosine regression loss to report. Both have the same minimiser and the same
/// gradient direction; 2 − 2cos has twice the gradient (science.md 7.3 quirk 7).
/// </summary>
public enum CosineLossForm
{
    /// <summary>d(p, z) = −cos(p, z) in [−1, 1]: the reference code's "CosineSimilarity" (SimSiam, US3L).</summary>
    NegativeCosine,

    /// <summary>‖g(p) − g(z)‖² = 2 − 2cos(p, z) in [0, 4]: the form of the BYOL paper.</summary>
    TwoMinusTwoCosine,
}

/// <summary>
/// The negative-cosine regression loss d(p, z) = −g(p)·g(z), g = ℓ2 normalisation (science.md 1.5),
/// and its cross-view symmetric form used by every predictor-based loss and by the US3L
/// sub-network distillation (science.md 3.4).
/// </summary>
public static class NegativeCosine
{
    /// <summary>
    /// Mean over the batch of −cos(p_b, z_b). p [B, d] is the prediction (gradients flow);
    /// z [B, d] the target, detached unless <paramref name="detachTarget"/> is false (the
    /// stop-gradient of SimSiam/BYOL; a teacher target carries no graph anyway). Returns a scalar.
    /// </summary>
    public static Tensor Loss(Tensor p, Tensor z, bool detachTarget = true, CosineLossForm form = CosineLossForm.NegativeCosine)
    {
        LossChecks.Pair("NegativeCosine", "p", p, "z", z);
        using var scope = torch.NewDisposeScope();
        var target = detachTarget ? z.detach() : z;
        var cos = (F.normalize(p, dim: 1) * F.normalize(target, dim: 1)).sum(1).mean();
        var loss = form == CosineLossForm.NegativeCosine ? -cos : 2 - 2 * cos;
        return scope.MoveToOuter(loss);
    }

    /// <summary>
    /// The cross-view symmetric form ½[d(a¹, t²) + d(a², t¹)]: the output of view 1 regresses onto
    /// the target of view 2 and vice versa; same-view pairs are skipped (science.md 3.4, sub-network
    /// step 2). a1, a2, t1, t2 are [B, d]; targets are detached unless told otherwise.
    /// </summary>
    public static Tensor CrossView(Tensor a1, Tensor a2, Tensor t1, Tensor t2, bool detachTargets = true,
        CosineLossForm form = CosineLossForm.NegativeCosine)
    {
        using var scope = torch.NewDisposeScope();
        var loss = 0.5 * (Loss(a1, t2, detachTargets, form) + Loss(a2, t1, detachTargets, form));
        return scope.MoveToOuter(loss);
    }
}
