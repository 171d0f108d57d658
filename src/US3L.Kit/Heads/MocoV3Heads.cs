using US3L.Slimmable;
using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Heads;

/// <summary>
/// MoCo v3's MLPs as the US-ViT reference builds them (<c>moco/builder.py</c>, <c>_build_mlp</c>;
/// science 3.4 "Heads", 3.6): every Linear without bias, BN and ReLU between layers, and a last BN
/// without affine. The projector has 3 layers, the predictor 2. Layer names follow the
/// reference's <c>nn.Sequential</c> numbering, so the state_dicts read alike. Head BNs normalise with
/// batch statistics only, as the kit's other heads.
/// </summary>
public static class MocoV3Heads
{
    /// <summary>
    /// Linear(in → hidden) → BN → ReLU → Linear(hidden → hidden) → BN → ReLU → Linear(hidden → out) →
    /// BN(affine = false). The first Linear slims its input when the backbone's feature size follows
    /// the width (CNNs); the US-ViT's class token keeps all D features, so it does not.
    /// </summary>
    public static Sequential Projector(int featureDim, int hidden, int output, int divisor = 8, Generator? generator = null, bool slimInput = true) =>
        new(new USLinear(featureDim, hidden, bias: false, slimIn: slimInput, slimOut: false, divisor: divisor, generator: generator),
            Norm(hidden), new ReLU(),
            new Linear(hidden, hidden, bias: false, generator), Norm(hidden), new ReLU(),
            new Linear(hidden, output, bias: false, generator), LastNorm(output));

    /// <summary>Linear(in → hidden) → BN → ReLU → Linear(hidden → out) → BN(affine = false): MoCo_ViT's predictor.</summary>
    public static Sequential Predictor(int input, int hidden, int output, Generator? generator = null) =>
        new(new Linear(input, hidden, bias: false, generator), Norm(hidden), new ReLU(),
            new Linear(hidden, output, bias: false, generator), LastNorm(output));

    /// <summary>
    /// The sub-networks' head: <c>predictor_new = deepcopy(self.predictor)</c> (MoCo_USViT), a
    /// separate module that starts from the predictor's weights.
    /// </summary>
    public static Sequential AuxiliaryHead(Sequential predictor, int input, int hidden, int output)
    {
        var copy = Predictor(input, hidden, output);
        using var noGrad = torch.no_grad();
        copy.load_state_dict(predictor.state_dict());
        return copy;
    }

    private static BatchNorm1d Norm(int features) => new(features, track_running_stats: false);

    private static BatchNorm1d LastNorm(int features) => new(features, affine: false, track_running_stats: false);
}
