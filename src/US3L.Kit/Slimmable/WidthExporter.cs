using US3L.Models;
using US3L.Torch;
using US3L.Torch.nn;
using US3L.Torch.Serialization;

namespace US3L.Slimmable;

/// <summary>
/// Slices a (BN-calibrated) slimmable network at one width into the state_dict of a plain
/// fixed-width network with torchvision names (science.md 9 item 34): each conv weight
/// [:C_out(w), :C_in(w)], each BN tensor (γ, β, running_mean, running_var) [:C(w)], the head
/// sliced on its input. Plain layers are copied whole. An S-Net's switchable BN (science.md 6.9)
/// becomes the plain BN of its private BatchNorm at that width.
/// </summary>
public static class WidthExporter
{
    /// <summary>Contiguous copies of the width-<paramref name="width"/> tensors, in state_dict order.</summary>
    public static OrderedDictionary<string, Tensor> Slice(SlimmableNetwork model, double width)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is USViT)
            throw new NotSupportedException(
                $"{model.Arch} has no plain fixed-width form to export: at width {width} its linears read the first in(w) features of a " +
                "full-width residual stream while the patch embedding, LayerNorms and attention heads stay full width (science.md 1.3); " +
                "run the slimmable network at that width instead.");
        model.CheckWidth(width);
        var result = new OrderedDictionary<string, Tensor>();
        using var _ = torch.no_grad();
        var switchable = new List<string>();
        foreach (var (prefix, module) in model.named_modules())
        {
            if (switchable.Any(s => prefix.StartsWith(s + ".", StringComparison.Ordinal))) continue;
            if (module is SwitchableBatchNorm2d sbn)
            {
                switchable.Add(prefix);
                using var scope = torch.NewDisposeScope();
                foreach (var (name, tensor) in sbn.At(width).state_dict())
                    result.Add(prefix + "." + name, tensor.contiguous().clone().DetachFromDisposeScope());
                continue;
            }
            if (module is USBatchNorm2d { running_mean: null })
                throw new InvalidOperationException(
                    $"USBatchNorm2d '{prefix}' has no running statistics: calibrate the model at width {width} first (BnCalibration.Calibrate).");
            if (module is USBatchNorm2d { StatisticsWidth: { } sw } && Math.Abs(sw - width) > WidthRule.Tolerance)
                throw new InvalidOperationException(
                    $"USBatchNorm2d '{prefix}' was calibrated at width {sw}, not {width}: calibrate at width {width} before exporting it.");
            foreach (var (name, tensor) in module.named_parameters(recurse: false).Concat(module.named_buffers(recurse: false)))
            {
                using var view = SliceOf(module, name, tensor, width);
                using var dense = view.contiguous();
                result.Add(prefix.Length == 0 ? name : prefix + "." + name, dense.clone().DetachFromDisposeScope());
            }
        }
        return result;
    }

    private static Tensor SliceOf(Module module, string name, Tensor tensor, double width) => (module, name) switch
    {
        (USConv2d conv, "weight") => conv.WeightAt(width),
        (USConv2d conv, "bias") => conv.BiasAt(width)!,
        (USLinear linear, "weight") => linear.WeightAt(width),
        (USLinear linear, "bias") => linear.BiasAt(width)!,
        (USBatchNorm2d bn, not "num_batches_tracked") => tensor.narrow(0, 0, bn.Channels(width)),
        _ => tensor.alias(),
    };

    /// <summary>
    /// Writes the width-<paramref name="width"/> network to a safetensors file with metadata
    /// <c>arch</c>, <c>width</c> and <c>feature_dim</c>.
    /// </summary>
    public static void Save(SlimmableNetwork model, double width, string path)
    {
        var tensors = Slice(model, width);
        try
        {
            var meta = new Dictionary<string, string>
            {
                ["arch"] = model.Arch,
                ["width"] = width.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                ["feature_dim"] = model.FeatureDim(width).ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            Safetensors.Save(path, tensors, meta);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
