using US3L.Torch;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Losses;

/// <summary>
/// The NT-Xent loss of the momentum-SimCLR variant (science.md 3.4 step 3) and its use as a
/// distillation criterion with student negatives (guideline G2's ablation, science.md 3.2 G2 and
/// row 6 of 3.3).
/// </summary>
public static class NtXent
{
    /// <summary>The temperature of the momentum-SimCLR base loss (science.md 3.4).</summary>
    public const double DefaultTemperature = 0.5;

    /// <summary>
    /// NTX(A, C): A [B, d] the online output (gradients flow), C [B, d] the partner tensor, detached
    /// unless <paramref name="partnerGradient"/> (plain SimCLR, where both views are online).
    /// Â = g(A) and Ĉ = g(C) are stacked into X = [Â; Ĉ] [2B, d]. Every one of the 2B rows is an
    /// anchor whose positive is its partner row (same image, other tensor) and whose denominator
    /// sums exp(X_i·X_j/τ) over all j ≠ i. Returns the mean over the 2B anchors of
    /// −log(exp(pos/τ)/denominator), a scalar. Because C is detached, gradients reach Â both where
    /// Â is an anchor and where it is a candidate of a Ĉ anchor (quirk 7.3.8).
    /// </summary>
    public static Tensor Loss(Tensor a, Tensor c, double tau = DefaultTemperature, bool partnerGradient = false)
    {
        const string op = "NtXent";
        LossChecks.Pair(op, "a", a, "c", c);
        LossChecks.Temperature(op, tau);
        using var scope = torch.NewDisposeScope();
        var b = a.size(0);
        var x = torch.cat(new[] { F.normalize(a, dim: 1), F.normalize(partnerGradient ? c : c.detach(), dim: 1) }, 0);
        var logits = x.mm(x.t()) / tau;
        // j = i is not a candidate: −∞ takes it out of the softmax (and out of the gradient).
        var self = torch.eye(2 * b, dtype: torch.@bool, device: a.device);
        logits = logits.masked_fill(self, double.NegativeInfinity);
        // Row i < B pairs with row i + B and the other way round.
        var partner = torch.cat(new[]
        {
            torch.arange(b, 2 * b, dtype: torch.int64, device: a.device),
            torch.arange(0, b, dtype: torch.int64, device: a.device),
        });
        return scope.MoveToOuter(F.cross_entropy(logits, partner));
    }

    /// <summary>
    /// The momentum-SimCLR base loss ½[NTX(f_θ(x¹), t²) + NTX(f_θ(x²), t¹)] with teacher targets
    /// t^v (science.md 3.4 step 3). All four tensors are [B, d].
    /// </summary>
    public static Tensor CrossView(Tensor a1, Tensor a2, Tensor t1, Tensor t2, double tau = DefaultTemperature)
    {
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(0.5 * (Loss(a1, t2, tau) + Loss(a2, t1, tau)));
    }

    /// <summary>
    /// NT-Xent used as a sub-network distillation criterion: the same function applied to
    /// (student, teacher) pairs, cross-view, ½[NTX(s¹, t²) + NTX(s², t¹)]. Its 2B×2B similarity
    /// matrix includes student–student pairs, so the repulsive part of the gradient comes from the
    /// current student's own in-batch features and changes with the width being trained: this is
    /// the design that guideline G2 rules out (row 6 of science.md 3.3), kept for the ablation.
    /// s1, s2 are the student's head outputs, t1, t2 the teacher's, all [B, d].
    /// </summary>
    public static Tensor Distill(Tensor s1, Tensor s2, Tensor t1, Tensor t2, double tau = DefaultTemperature) =>
        CrossView(s1, s2, t1, t2, tau);
}
