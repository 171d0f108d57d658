using US3L.Losses;
using US3L.Torch;
using US3L.Training;

namespace US3L.Methods;

/// <summary>
/// Plain SimCLR (baseline): NT-Xent between the two online views, gradients through both.
/// <see cref="NtXent.Loss"/> detaches its second argument; by the symmetry of the 2B×2B matrix the
/// full gradient is the sum of the two one-sided ones, so the loss is NTX(z¹, z²) + NTX(z², z¹)
/// minus the detached value of the second term: the value of one NT-Xent, the exact SimCLR gradient.
/// </summary>
public sealed class SimClrMethod : SslMethod
{
    public override BaseLoss Kind => BaseLoss.SimClr;
    public override bool UsesTeacher => false;

    public override Tensor Loss(SslNetwork network, ViewPair z, ViewPair? targets, PretrainConfig config)
    {
        using var scope = torch.NewDisposeScope();
        var forward = NtXent.Loss(z.V1, z.V2, config.Temperature);
        var backward = NtXent.Loss(z.V2, z.V1, config.Temperature);
        return scope.MoveToOuter(forward + backward - backward.detach());
    }
}
