using US3L.Torch;
using US3L.Torch.nn;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Slimmable;

/// <summary>
/// A universally slimmable BatchNorm (science.md 1.3): one shared γ/β, sliced to the first C(w)
/// channels; no private per-width parameters. By default it keeps no running statistics, so it
/// normalizes with the batch statistics in train and eval mode (SSL pre-training). For evaluation
/// <see cref="BatchNormBase.CreateRunningStats"/> adds full-size buffers; a pass at width w then
/// uses and updates only their first C(w) entries, so calibrating at w (science.md 6.3,
/// <see cref="BnCalibration"/>) yields the statistics of the width-w sub-network.
/// </summary>
public class USBatchNorm2d : BatchNorm2d, ISlimmable
{
    private double width = 1.0;

    public int Ratio { get; }
    public int Divisor { get; }

    /// <summary>The width the running statistics were last calibrated at (null: never, or unknown).</summary>
    public double? StatisticsWidth { get; internal set; }

    public USBatchNorm2d(int numFeatures, bool trackRunningStats = false, int ratio = 1, int divisor = 8, double eps = 1e-5,
        double? momentum = 0.1)
        : base(numFeatures, eps, momentum, affine: true, track_running_stats: trackRunningStats)
    {
        Ratio = ratio;
        Divisor = divisor;
        USConv2d.CheckFullWidth(numFeatures, ratio, divisor, "BatchNorm");
    }

    public double Width
    {
        get => width;
        set
        {
            WidthRule.CheckWidth(value);
            width = value;
        }
    }

    public int Channels(double w) => WidthRule.Channels((int)num_features, w, Ratio, Divisor);

    /// <summary>
    /// Called after every forward pass with (layer, input, output), like a PyTorch forward hook: the
    /// output is the tensor the caller goes on to use, so in-place operations the caller applies to it
    /// afterwards (a block's ReLU and residual sum) show in it too (<see cref="Models.FeatureTap"/>).
    /// </summary>
    public event Action<USBatchNorm2d, Tensor, Tensor>? Forwarded;

    /// <summary>γ and β used at width w (2·C(w) trained parameters).</summary>
    public long ParamCount(double w) => 2L * Channels(w);

    public override Tensor forward(Tensor input)
    {
        var c = Channels(width);
        if (input.dim() != 4 || input.size(1) != c)
            throw new ArgumentException($"USBatchNorm2d({num_features}) at width {width} expects input [N, {c}, H, W], got {ShapeText.Of(input)}.");
        using var g = weight!.narrow(0, 0, c);
        using var b = bias!.narrow(0, 0, c);
        if (running_mean is null) return Announce(input, F.batch_norm(input, null, null, g, b, training: true, momentum: 0, eps: eps));
        var factor = momentum ?? 0.0;
        if (training)
        {
            using (torch.no_grad()) num_batches_tracked!.add_(1L);
            // momentum null: cumulative average, weight 1/n for the n-th batch (US-Nets' recommendation).
            if (momentum is null) factor = 1.0 / num_batches_tracked!.item<long>();
        }
        // The prefix views share storage with the full buffers: batch_norm updates them in place.
        using var mean = running_mean.narrow(0, 0, c);
        using var variance = running_var!.narrow(0, 0, c);
        return Announce(input, F.batch_norm(input, mean, variance, g, b, training, factor, eps));
    }

    private Tensor Announce(Tensor input, Tensor output)
    {
        Forwarded?.Invoke(this, input, output);
        return output;
    }

    public override string extra_repr() => base.extra_repr() + (Ratio != 1 ? $", ratio={Ratio}" : "") + $", width={width}";
}
