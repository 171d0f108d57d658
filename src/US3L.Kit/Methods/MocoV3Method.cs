using US3L.Heads;
using US3L.Losses;
using US3L.Torch;
using US3L.Torch.nn;
using US3L.Training;

namespace US3L.Methods;

/// <summary>
/// MoCo v3's base loss (science.md 3.3 row 7, 3.6): predictor outputs against the EMA keys of the
/// batch, 2τ·CE summed over both view orders, τ from the config (0.2 for MoCo v3). Its heads are
/// MoCo v3's (<see cref="MocoV3Heads"/>), and the sub-networks' head starts as a copy of the predictor.
/// </summary>
public sealed class MocoV3Method : SslMethod
{
    public override BaseLoss Kind => BaseLoss.MocoV3;
    public override bool HasPredictor => true;

    public override Sequential BuildProjector(int featureDim, bool slimInput, PretrainConfig c, Generator generator) =>
        MocoV3Heads.Projector(featureDim, c.ProjectorHidden, c.ProjectorOut, c.Divisor, generator, slimInput);

    public override Sequential BuildPredictor(PretrainConfig c, Generator generator) =>
        MocoV3Heads.Predictor(c.ProjectorOut, c.PredictorHidden, c.ProjectorOut, generator);

    /// <summary>A copy of the predictor made at construction (MoCo_USViT's <c>predictor_new</c>).</summary>
    public override Sequential BuildAuxiliaryHead(Sequential? predictor, PretrainConfig c, Generator generator) =>
        MocoV3Heads.AuxiliaryHead(predictor ?? throw new InvalidOperationException("MoCo v3's auxiliary head copies the predictor, which was not built."),
            c.ProjectorOut, c.PredictorHidden, c.ProjectorOut);

    public override Tensor Loss(SslNetwork network, ViewPair z, ViewPair? targets, PretrainConfig config)
    {
        var t = Require(targets, "MoCo v3");
        using var scope = torch.NewDisposeScope();
        var q = Predict(network, z);
        return scope.MoveToOuter(MocoV3Loss.CrossView(q.V1, q.V2, t.V1, t.V2, config.Temperature));
    }
}
