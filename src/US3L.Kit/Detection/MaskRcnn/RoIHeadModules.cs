using US3L.Torch;
using US3L.Torch.nn;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Detection;

/// <summary>torchvision's TwoMLPHead: the pooled box features flattened, then fc6 and fc7, each with ReLU.</summary>
public sealed class TwoMlpHead : Module<Tensor, Tensor>
{
    private readonly Linear fc6;
    private readonly Linear fc7;

    public TwoMlpHead(int inChannels, int representationSize, Generator? generator = null)
    {
        fc6 = register_module("fc6", new Linear(inChannels, representationSize, generator: generator));
        fc7 = register_module("fc7", new Linear(representationSize, representationSize, generator: generator));
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var x = F.relu(fc6.forward(input.flatten(1)));
        return scope.MoveToOuter(F.relu(fc7.forward(x)));
    }
}

/// <summary>torchvision's FastRCNNPredictor: class logits (<c>cls_score</c>, K + 1) and per-class box deltas (<c>bbox_pred</c>, 4(K + 1)).</summary>
public sealed class FastRcnnPredictor : Module<Tensor, (Tensor Logits, Tensor Deltas)>
{
    private readonly Linear clsScore;
    private readonly Linear bboxPred;

    public FastRcnnPredictor(int inChannels, int numClasses, Generator? generator = null)
    {
        clsScore = register_module("cls_score", new Linear(inChannels, numClasses, generator: generator));
        bboxPred = register_module("bbox_pred", new Linear(inChannels, numClasses * 4, generator: generator));
    }

    public override (Tensor Logits, Tensor Deltas) forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var x = input.flatten(1);
        var logits = clsScore.forward(x);
        var deltas = bboxPred.forward(x);
        scope.MoveToOuter(logits, deltas);
        return (logits, deltas);
    }
}

/// <summary>
/// torchvision's MaskRCNNHeads: 3x3 convolutions with ReLU (<c>0.0</c>, <c>1.0</c>, ...), Kaiming-normal
/// (fan_out, ReLU) weights and zero biases.
/// </summary>
public static class MaskRcnnHeads
{
    public static Sequential Create(int inChannels, IReadOnlyList<int> layers, int dilation = 1, Generator? generator = null)
    {
        var blocks = new Sequential();
        var next = inChannels;
        foreach (var channels in layers)
        {
            var conv = new Conv2d(next, channels, 3, padding: dilation, dilation: dilation);
            init.kaiming_normal_(conv.weight, mode: "fan_out", nonlinearity: "relu", generator: generator);
            init.zeros_(conv.bias!);
            blocks.append(new Sequential(conv, new ReLU(inplace: true)));
            next = channels;
        }
        return blocks;
    }
}

/// <summary>
/// torchvision's MaskRCNNPredictor: a 2x2 stride-2 transposed conv (<c>conv5_mask</c>) doubling the
/// mask resolution, ReLU, and a 1x1 conv to one mask logit map per class (<c>mask_fcn_logits</c>).
/// Weights Kaiming-normal (fan_out, ReLU); biases keep PyTorch's default init.
/// </summary>
public static class MaskRcnnPredictor
{
    public static Sequential Create(int inChannels, int dimReduced, int numClasses, Generator? generator = null)
    {
        var up = new ConvTranspose2d(inChannels, dimReduced, 2, stride: 2, generator: generator);
        var logits = new Conv2d(dimReduced, numClasses, 1, generator: generator);
        init.kaiming_normal_(up.weight, mode: "fan_out", nonlinearity: "relu", generator: generator);
        init.kaiming_normal_(logits.weight, mode: "fan_out", nonlinearity: "relu", generator: generator);
        return new Sequential(new (string, Module<Tensor, Tensor>)[] { ("conv5_mask", up), ("relu", new ReLU(inplace: true)), ("mask_fcn_logits", logits) });
    }
}
