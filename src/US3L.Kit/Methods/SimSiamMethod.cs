using US3L.Losses;
using US3L.Torch;
using US3L.Training;

namespace US3L.Methods;

/// <summary>
/// SimSiam: ½[d(q(z¹), sg z²) + d(q(z²), sg z¹)], no teacher; the projector ends with a BN without
/// affine (science.md 2.1, 9 item 18). With sub-networks distilled onto the online max output it is
/// the naive adaptation that collapses.
/// </summary>
public sealed class SimSiamMethod : SslMethod
{
    public override BaseLoss Kind => BaseLoss.SimSiam;
    public override bool UsesTeacher => false;
    public override bool HasPredictor => true;
    public override bool ProjectorFinalBatchNorm => true;

    public override Tensor Loss(SslNetwork network, ViewPair z, ViewPair? targets, PretrainConfig config)
    {
        using var scope = torch.NewDisposeScope();
        var p = Predict(network, z);
        return scope.MoveToOuter(SiameseLosses.SimSiam(p.V1, p.V2, z.V1, z.V2));
    }
}
