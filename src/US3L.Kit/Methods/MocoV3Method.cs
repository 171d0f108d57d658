using US3L.Losses;
using US3L.Torch;
using US3L.Training;

namespace US3L.Methods;

/// <summary>
/// MoCo v3's base loss (science.md 3.3 row 7): predictor outputs against the EMA keys of the batch,
/// 2τ·CE summed over both view orders, τ from the config (0.2 for MoCo v3).
/// </summary>
public sealed class MocoV3Method : SslMethod
{
    public override BaseLoss Kind => BaseLoss.MocoV3;
    public override bool HasPredictor => true;

    public override Tensor Loss(SslNetwork network, ViewPair z, ViewPair? targets, PretrainConfig config)
    {
        var t = Require(targets, "MoCo v3");
        using var scope = torch.NewDisposeScope();
        var q = Predict(network, z);
        return scope.MoveToOuter(MocoV3Loss.CrossView(q.V1, q.V2, t.V1, t.V2, config.Temperature));
    }
}
