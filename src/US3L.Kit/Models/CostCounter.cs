using US3L.Slimmable;
using US3L.Torch.nn;

namespace US3L.Models;

/// <summary>
/// Adds up parameters and multiply-accumulates of layers at one width while a network describes
/// its forward order (science.md 9 item 32). It tracks the spatial size of the running feature
/// map; a block with a branch saves and restores <see cref="H"/>/<see cref="W"/>.
/// </summary>
public sealed class CostCounter
{
    internal CostCounter(double width, long h, long w)
    {
        Width = width;
        H = h;
        W = w;
    }

    public double Width { get; }
    public long H { get; set; }
    public long W { get; set; }
    public long Params { get; private set; }
    public long Macs { get; private set; }

    /// <summary>Counts one layer or container and advances the spatial size through it.</summary>
    public void Add(Module module)
    {
        switch (module)
        {
            case ICostCounted block:
                block.CountCost(this);
                break;
            case USConv2d conv:
                (H, W) = conv.OutputSize(H, W);
                Params += conv.ParamCount(Width);
                Macs += conv.Macs(Width, H, W);
                break;
            case USBatchNorm2d bn:
                Params += bn.ParamCount(Width);
                break;
            case SwitchableBatchNorm2d bn:
                Params += bn.ParamCount(Width);
                break;
            case BatchNormBase bn:
                Params += bn.weight is null ? 0 : 2 * bn.num_features;
                break;
            case USLinear linear:
                Params += linear.ParamCount(Width);
                Macs += linear.Macs(Width);
                break;
            case Sequential sequential:
                foreach (var layer in sequential) Add(layer);
                break;
            default:
                if (module.parameters(recurse: false).Any() || module.children().Any())
                    throw new NotSupportedException($"The cost counter does not know the layer {module.TypeName}.");
                break;
        }
    }

    /// <summary>
    /// Adds what a layer computed itself (a token-wise linear, attention's matrix products, a
    /// LayerNorm's parameters); the spatial size stays.
    /// </summary>
    public void Add(long parameters, long macs)
    {
        if (parameters < 0 || macs < 0) throw new ArgumentOutOfRangeException(null, $"Costs cannot be negative, got {parameters} parameters and {macs} MACs.");
        Params += parameters;
        Macs += macs;
    }

    /// <summary>A pooling or strided op without parameters: only the spatial size changes.</summary>
    public void Resize(long kernel, long stride, long padding)
    {
        H = (H + 2 * padding - kernel) / stride + 1;
        W = (W + 2 * padding - kernel) / stride + 1;
    }
}

/// <summary>A block that counts its own cost (residual branches, shortcuts).</summary>
public interface ICostCounted
{
    void CountCost(CostCounter counter);
}
