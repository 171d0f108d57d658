using US3L.Models;
using US3L.Slimmable;
using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Heads;

/// <summary>
/// The feature-distillation adapters, the reference's <c>proj_conv</c> (utils/ssl_algorithms/byol.py
/// L76-86, simclr.py the same): one bias-free 1×1 <see cref="USConv2d"/> per distilled layer, from the
/// layer's channels at the current width (input slimmed) to its full channel count (output not), so a
/// sub-network's feature map can be regressed on the full-width teacher's (science.md 3.7). They
/// belong to the online network, so the optimizer trains them and checkpoints keep them; children are
/// named by the layer with its dots replaced by underscores, as in the reference
/// (<c>proj_conv.layer2_1_bn2.weight</c>). PyTorch's default conv initialisation, as nn.Conv2d's.
/// </summary>
public sealed class FeatureAdapters : Module
{
    private readonly USConv2d[] adapters;

    /// <param name="backbone">The online backbone; each layer's channel count and divisor come from its US-BatchNorm.</param>
    /// <param name="layers">Module paths of US-BatchNorms of <paramref name="backbone"/> (<see cref="FeatureLayers.Names"/>).</param>
    /// <param name="generator">Draws the initial weights; null uses the process-wide generator.</param>
    public FeatureAdapters(SlimmableNetwork backbone, IReadOnlyList<string> layers, Generator? generator = null) : base("FeatureAdapters")
    {
        ArgumentNullException.ThrowIfNull(backbone);
        if (layers.Count == 0) throw new ArgumentException("Feature distillation needs at least one layer.", nameof(layers));
        var names = FeatureLayers.Names(backbone.Arch);
        Layers = layers.ToArray();
        adapters = new USConv2d[layers.Count];
        for (var i = 0; i < layers.Count; i++)
        {
            if (!names.Contains(layers[i]))
                throw new ArgumentException($"'{layers[i]}' is not a feature layer of {backbone.Arch}; its feature layers are: {string.Join(", ", names)}.");
            var bn = (USBatchNorm2d)backbone.get_submodule(layers[i]);
            // The adapter slims its input by the same rule as the layer's channels (ratio 1, same divisor).
            if (bn.Ratio != 1) throw new ArgumentException($"Feature layer '{layers[i]}' has channel ratio {bn.Ratio}; adapters need ratio 1.");
            var channels = (int)bn.num_features;
            adapters[i] = register_module(ChildName(layers[i]),
                new USConv2d(channels, channels, 1, bias: false, slimIn: true, slimOut: false, divisor: bn.Divisor, generator: generator));
        }
    }

    /// <summary>The distilled layers, in the order of <see cref="Adapt"/>'s input.</summary>
    public IReadOnlyList<string> Layers { get; }

    /// <summary>The child name of a layer's adapter (the reference's <c>feat_name.replace('.', '_')</c>).</summary>
    public static string ChildName(string layer) => layer.Replace('.', '_');

    /// <summary>Each layer's feature map [B, C(w), H, W] through its adapter, to [B, C, H, W], at the width last set.</summary>
    public Tensor[] Adapt(IReadOnlyList<Tensor> features)
    {
        if (features.Count != adapters.Length)
            throw new ArgumentException($"Expected {adapters.Length} feature maps ({string.Join(", ", Layers)}), got {features.Count}.");
        return features.Select((f, i) => adapters[i].forward(f)).ToArray();
    }
}
