using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Detection;

/// <summary>
/// torchvision's RPNHead (science.md 10.5 [T]), shared by every pyramid level: a 3x3 conv with ReLU
/// (<c>conv.0.0</c>), then per location A objectness logits (<c>cls_logits</c>) and 4A box deltas
/// (<c>bbox_pred</c>). Every conv starts N(0, 0.01²) with zero bias.
/// </summary>
public sealed class RpnHead : Module<Tensor[], (Tensor[] Objectness, Tensor[] Deltas)>
{
    private readonly Sequential conv;
    private readonly Conv2d clsLogits;
    private readonly Conv2d bboxPred;

    public RpnHead(int inChannels, int anchorsPerLocation, Generator? generator = null)
    {
        conv = register_module("conv", new Sequential(new Sequential(new Conv2d(inChannels, inChannels, 3, padding: 1), new ReLU(inplace: true))));
        clsLogits = register_module("cls_logits", new Conv2d(inChannels, anchorsPerLocation, 1));
        bboxPred = register_module("bbox_pred", new Conv2d(inChannels, anchorsPerLocation * 4, 1));
        foreach (var c in modules().OfType<Conv2d>())
        {
            init.normal_(c.weight, 0, 0.01, generator);
            init.zeros_(c.bias!);
        }
    }

    public override (Tensor[] Objectness, Tensor[] Deltas) forward(Tensor[] features)
    {
        using var scope = torch.NewDisposeScope();
        var objectness = new Tensor[features.Length];
        var deltas = new Tensor[features.Length];
        for (var i = 0; i < features.Length; i++)
        {
            var t = conv.forward(features[i]);
            objectness[i] = clsLogits.forward(t);
            deltas[i] = bboxPred.forward(t);
        }
        scope.MoveToOuter(objectness);
        scope.MoveToOuter(deltas);
        return (objectness, deltas);
    }
}
