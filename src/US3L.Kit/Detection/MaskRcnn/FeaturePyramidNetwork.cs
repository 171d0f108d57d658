using US3L.Torch;
using US3L.Torch.nn;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Detection;

/// <summary>
/// torchvision's FeaturePyramidNetwork with the LastLevelMaxPool extra block (science.md 10.5 [T]):
/// a 1x1 lateral conv per input level (<c>inner_blocks.i.0</c>), a top-down path that adds the
/// nearest-upsampled coarser level, a 3x3 output conv per level (<c>layer_blocks.i.0</c>), and a
/// "pool" level max-pooled (kernel 1, stride 2) from the coarsest output. The lateral convs read
/// the backbone's channels at the detector's width; every output has <see cref="OutChannels"/>.
/// Init: Kaiming-uniform with a = 1, biases 0.
/// </summary>
public sealed class FeaturePyramidNetwork : Module<Tensor[], Tensor[]>
{
    private readonly ModuleList<Sequential> innerBlocks;
    private readonly ModuleList<Sequential> layerBlocks;

    public FeaturePyramidNetwork(IReadOnlyList<int> inChannels, int outChannels, Generator? generator = null)
    {
        if (inChannels.Count == 0 || inChannels.Any(c => c < 1)) throw new ArgumentException("FeaturePyramidNetwork: every input level needs positive channels.");
        OutChannels = outChannels;
        innerBlocks = register_module("inner_blocks", new ModuleList<Sequential>(inChannels.Select(c => new Sequential(new Conv2d(c, outChannels, 1))).ToArray()));
        layerBlocks = register_module("layer_blocks",
            new ModuleList<Sequential>(inChannels.Select(_ => new Sequential(new Conv2d(outChannels, outChannels, 3, padding: 1))).ToArray()));
        foreach (var conv in modules().OfType<Conv2d>())
        {
            init.kaiming_uniform_(conv.weight, a: 1, generator: generator);
            init.zeros_(conv.bias!);
        }
    }

    public int OutChannels { get; }

    /// <summary>Pyramid levels: one per input plus the pool level.</summary>
    public int Levels => innerBlocks.Count + 1;

    /// <summary>The pyramid [P_first .. P_last, pool] of the backbone levels <paramref name="input"/>, finest first.</summary>
    public override Tensor[] forward(Tensor[] input)
    {
        if (input.Length != innerBlocks.Count)
            throw new ArgumentException($"FeaturePyramidNetwork: built for {innerBlocks.Count} levels, got {input.Length}.");
        using var scope = torch.NewDisposeScope();
        var n = input.Length;
        var results = new Tensor[n + 1];
        var lastInner = innerBlocks[n - 1].forward(input[n - 1]);
        results[n - 1] = layerBlocks[n - 1].forward(lastInner);
        for (var i = n - 2; i >= 0; i--)
        {
            var lateral = innerBlocks[i].forward(input[i]);
            var topDown = F.interpolate(lastInner, size: (lateral.size(2), lateral.size(3)), mode: "nearest");
            lastInner = lateral + topDown;
            results[i] = layerBlocks[i].forward(lastInner);
        }
        results[n] = F.max_pool2d(results[n - 1], 1, 2, 0);
        scope.MoveToOuter(results);
        return results;
    }
}
