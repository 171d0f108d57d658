using US3L.Losses;
using US3L.Torch;
using US3L.Training;

namespace US3L.Methods;

/// <summary>BYOL: ½[d(q(z¹), t²) + d(q(z²), t¹)] against the EMA teacher (science.md 3.4, "base MSE").</summary>
public sealed class ByolMethod : SslMethod
{
    public override BaseLoss Kind => BaseLoss.Byol;
    public override bool HasPredictor => true;

    public override Tensor Loss(SslNetwork network, ViewPair z, ViewPair? targets, PretrainConfig config)
    {
        var t = Require(targets, "BYOL");
        using var scope = torch.NewDisposeScope();
        var p = Predict(network, z);
        return scope.MoveToOuter(SiameseLosses.Byol(p.V1, p.V2, t.V1, t.V2));
    }
}
