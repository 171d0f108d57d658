using US3L.Losses;
using US3L.Torch;
using US3L.Training;

namespace US3L.Methods;

/// <summary>Momentum-SimCLR: ½[NTX(z¹, t²) + NTX(z², t¹)], τ from the config, no predictor (science.md 3.4, "base InfoNCE").</summary>
public sealed class SimClrMomentumMethod : SslMethod
{
    public override BaseLoss Kind => BaseLoss.SimClrMomentum;

    public override Tensor Loss(SslNetwork network, ViewPair z, ViewPair? targets, PretrainConfig config)
    {
        var t = Require(targets, "Momentum-SimCLR");
        return NtXent.CrossView(z.V1, z.V2, t.V1, t.V2, config.Temperature);
    }
}
