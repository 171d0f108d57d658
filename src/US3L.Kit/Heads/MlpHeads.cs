using US3L.Slimmable;
using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Heads;

/// <summary>
/// The MLP heads of science.md 3.4 "Heads". Layer names follow the reference code's
/// <c>nn.Sequential</c> numbering ("0", "1", ...), so checkpoints read like the PyTorch ones.
/// Head BNs are ordinary BN1d shared across widths, always normalizing with batch statistics
/// (no running statistics: the heads are dropped before evaluation).
/// </summary>
public static class MlpHeads
{
    /// <summary>
    /// The projector: USLinear(F(w) → hidden, bias; input slimmed, science.md 1.3 "Last layer") → BN → ReLU →
    /// Linear(hidden → hidden, no bias) → BN → ReLU → Linear(hidden → out). Only the first layer
    /// depends on the width. <paramref name="finalBatchNorm"/> appends SimSiam's BN without affine and
    /// freezes the bias of the Linear before it.
    /// </summary>
    /// <param name="featureDim">F(1.0), the full pooled feature size of the backbone.</param>
    /// <param name="hidden">Hidden size (2048 in the paper, 256 on CPU, science.md 8.1).</param>
    /// <param name="output">Output size d (2048 BYOL, 256 momentum-SimCLR, 128 on CPU).</param>
    /// <param name="divisor">The backbone's channel divisor, so the slimmed input matches F(w).</param>
    /// <param name="finalBatchNorm">Append a BN1d without affine (SimSiam).</param>
    /// <param name="generator">Draws the initial weights; null uses the process-wide generator.</param>
    /// <param name="slimInput">
    /// Whether F(w) follows the width (ResNets). MobileNetV2's last 1×1 conv keeps its 1280 channels
    /// at every width, so its projector reads all of them.
    /// </param>
    public static Sequential Projector(int featureDim, int hidden, int output, int divisor = 8, bool finalBatchNorm = false,
        Generator? generator = null, bool slimInput = true)
    {
        Check(featureDim, hidden, output);
        var layers = new List<Module<Tensor, Tensor>>
        {
            new USLinear(featureDim, hidden, bias: true, slimIn: slimInput, slimOut: false, divisor: divisor, generator: generator),
            Norm(hidden), new ReLU(),
            new Linear(hidden, hidden, bias: false, generator), Norm(hidden), new ReLU(),
            new Linear(hidden, output, generator: generator),
        };
        if (finalBatchNorm)
        {
            // The BN removes any constant shift, so the bias before it is frozen at its initial value, as
            // the reference freezes it (utils/ssl_algorithms/simsiam.py L99): weight decay does not move it.
            ((Linear)layers[^1]).bias!.requires_grad_(false);
            layers.Add(new BatchNorm1d(output, affine: false, track_running_stats: false));
        }
        return new Sequential(layers.ToArray());
    }

    /// <summary>
    /// The predictor q_θ and the auxiliary head a_θ (separate instances of the same shape):
    /// Linear(in → hidden, no bias) → BN → ReLU → Linear(hidden → out).
    /// Draws its initial weights from <paramref name="generator"/> (null: the process-wide one).
    /// </summary>
    public static Sequential Predictor(int input, int hidden, int output, Generator? generator = null)
    {
        Check(input, hidden, output);
        return new Sequential(new Linear(input, hidden, bias: false, generator), Norm(hidden), new ReLU(),
            new Linear(hidden, output, generator: generator));
    }

    private static BatchNorm1d Norm(int features) => new(features, track_running_stats: false);

    private static void Check(int input, int hidden, int output)
    {
        if (input < 1 || hidden < 1 || output < 1)
            throw new ArgumentException($"Head sizes must be positive, got in {input}, hidden {hidden}, out {output}.");
    }
}
