using US3L.Models;
using US3L.Slimmable;
using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Detection;

/// <summary>
/// torchvision's BackboneWithFPN over a slimmable backbone (science.md 10.5): <c>body</c> is the
/// backbone itself, run at one width set once (so its state_dict names are the backbone's own under
/// <c>backbone.body.</c>, and a pretrained checkpoint loads unchanged); <c>fpn</c> reads its stage
/// outputs C2-C5 (those in ReturnedLayers) with their channel counts at that width.
/// </summary>
public sealed class BackboneWithFpn : Module<Tensor, Tensor[]>
{
    private readonly IStageFeatures stages;
    private readonly int[] returned;

    public BackboneWithFpn(SlimmableNetwork body, double width, MaskRcnnOptions options, Generator? generator = null)
    {
        stages = body as IStageFeatures
            ?? throw new ArgumentException($"{body.Arch} has no stage outputs for a feature pyramid; detection supports the US-ResNets and US-MobileNetV2.");
        body.SetWidth(width);
        Width = width;
        returned = options.ReturnedLayers.Select(l => l - 1).ToArray();
        var channels = stages.StageChannels(width);
        Body = register_module("body", body);
        Fpn = register_module("fpn", new FeaturePyramidNetwork(returned.Select(i => channels[i]).ToArray(), options.FpnChannels, generator));
    }

    public SlimmableNetwork Body { get; }
    public FeaturePyramidNetwork Fpn { get; }

    /// <summary>The width the backbone runs at, fixed when the detector is built.</summary>
    public double Width { get; }

    /// <summary>Strides of the pyramid levels (the pool level doubles the coarsest).</summary>
    public IReadOnlyList<int> Strides => returned.Select(i => stages.StageStrides[i]).Append(2 * stages.StageStrides[returned[^1]]).ToArray();

    public override Tensor[] forward(Tensor input)
    {
        if (Math.Abs(Body.Width - Width) > 1e-9)
            throw new InvalidOperationException($"The detector's backbone was built for width {Width} but runs at {Body.Width}; its FPN reads the channels of width {Width}.");
        using var scope = torch.NewDisposeScope();
        var all = stages.ForwardStages(input);
        var pyramid = Fpn.forward(returned.Select(i => all[i]).ToArray());
        scope.MoveToOuter(pyramid);
        return pyramid;
    }
}
