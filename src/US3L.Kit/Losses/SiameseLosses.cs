using US3L.Torch;

namespace US3L.Losses;

/// <summary>
/// The base losses of the predictor-based methods, both the cross-view negative cosine
/// (science.md 1.5, 2.1, 3.4). They differ only in where the targets come from, which is the
/// point of guideline G1: SimSiam's targets are the online network's own (stop-gradient) outputs,
/// BYOL's come from the EMA teacher.
/// </summary>
public static class SiameseLosses
{
    /// <summary>
    /// SimSiam: ½[d(p¹, sg z²) + d(p², sg z¹)]. p1, p2 [B, d] are predictor outputs; z1, z2 [B, d]
    /// the online projector outputs of the same step, detached here.
    /// </summary>
    public static Tensor SimSiam(Tensor p1, Tensor p2, Tensor z1, Tensor z2) =>
        NegativeCosine.CrossView(p1, p2, z1, z2, detachTargets: true);

    /// <summary>
    /// BYOL: ½[d(q(f_θ(x¹)), t²) + d(q(f_θ(x²)), t¹)] with t^v = f_φ(x^v) from the EMA teacher
    /// (science.md 3.4 step 3). <paramref name="form"/> = TwoMinusTwoCosine gives BYOL's 2 − 2cos,
    /// averaged over the two view orders; its gradient is twice the default's (quirk 7.3.7).
    /// p1, p2, t1, t2 are [B, d].
    /// </summary>
    public static Tensor Byol(Tensor p1, Tensor p2, Tensor t1, Tensor t2, CosineLossForm form = CosineLossForm.NegativeCosine) =>
        NegativeCosine.CrossView(p1, p2, t1, t2, detachTargets: true, form);
}
