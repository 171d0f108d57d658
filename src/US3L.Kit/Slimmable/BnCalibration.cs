using US3L.Models;
using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Slimmable;

/// <summary>
/// BN recalibration, "post-statistics" (science.md 6.3, 9 item 28). Pre-training keeps no running
/// statistics, and statistics gathered at one width are wrong for another, so before evaluating
/// width w: switch running statistics on, reset them to mean 0 / var 1, set the width, and
/// forward batches in train mode without gradients. The model is left in eval mode at width w.
/// In an S-Net (science.md 6.9) only the private BNs of width w are reset and recalibrated; the
/// other widths keep their statistics, so calibrating each width in turn fills every one.
/// </summary>
public static class BnCalibration
{
    /// <summary>
    /// Calibrates every BatchNorm of <paramref name="model"/> for <paramref name="width"/> on
    /// <paramref name="batches"/> (float inputs as the model takes them, e.g. [B, C, H, W]).
    /// <paramref name="momentum"/>: EMA weight of each batch (0.1, the reference code), or null
    /// for the cumulative average over all batches (the US-Nets recommendation).
    /// <paramref name="maxBatches"/> stops early (e.g. 501 for the ImageNet recipe). Returns the
    /// number of batches used: 0 for a network without BatchNorm, which is only set to the width
    /// and to eval mode.
    /// </summary>
    public static int Calibrate(Module model, double width, IEnumerable<Tensor> batches, double? momentum = 0.1, int? maxBatches = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batches);
        if (momentum is { } m && !(m > 0 && m <= 1))
            throw new ArgumentOutOfRangeException(null, $"BN calibration momentum must be in (0, 1] or null (cumulative), got {m}.");
        if (maxBatches is < 1) throw new ArgumentOutOfRangeException(null, "maxBatches must be positive.");
        if (model is not Module<Tensor, Tensor> forward)
            throw new ArgumentException($"{model.TypeName} has no tensor forward pass to calibrate with.");
        model.SetWidth(width);
        // An S-Net's private BNs of the other widths see no pass at this width: their statistics stay as they are.
        var idle = model.modules().OfType<SwitchableBatchNorm2d>().SelectMany(s => s.Others(width)).Cast<Module>().ToHashSet(ReferenceEqualityComparer.Instance);
        var norms = model.modules().OfType<BatchNormBase>().Where(bn => !idle.Contains(bn)).ToList();
        if (norms.Count == 0)
        {
            // A network without BatchNorm (the US-ViT: LayerNorm normalizes each token by itself) has nothing to calibrate.
            model.eval();
            return 0;
        }
        foreach (var bn in norms)
        {
            bn.CreateRunningStats();
            bn.reset_running_stats();
            bn.momentum = momentum;
        }
        model.train();
        var used = 0;
        using (torch.no_grad())
            foreach (var batch in batches)
            {
                if (used == maxBatches) break;
                using var scope = torch.NewDisposeScope();
                forward.forward(batch);
                used++;
            }
        if (used == 0) throw new ArgumentException("BN calibration needs at least one batch; the batch sequence was empty.");
        foreach (var bn in norms.OfType<USBatchNorm2d>()) bn.StatisticsWidth = width;
        model.eval();
        return used;
    }
}
