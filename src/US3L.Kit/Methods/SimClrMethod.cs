using US3L.Losses;
using US3L.Torch;
using US3L.Training;

namespace US3L.Methods;

/// <summary>
/// Plain SimCLR (baseline): NT-Xent between the two online views, gradients through both, no
/// teacher and no predictor.
/// </summary>
public sealed class SimClrMethod : SslMethod
{
    public override BaseLoss Kind => BaseLoss.SimClr;
    public override bool UsesTeacher => false;

    public override Tensor Loss(SslNetwork network, ViewPair z, ViewPair? targets, PretrainConfig config) =>
        NtXent.Loss(z.V1, z.V2, config.Temperature, partnerGradient: true);
}
