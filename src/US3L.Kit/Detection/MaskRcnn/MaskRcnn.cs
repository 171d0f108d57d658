using US3L.Models;
using US3L.Slimmable;
using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Detection;

/// <summary>The five Mask R-CNN training losses (torchvision's loss dict) and their sum.</summary>
public sealed record MaskRcnnLosses(Tensor Classifier, Tensor BoxReg, Tensor Mask, Tensor Objectness, Tensor RpnBoxReg) : IDisposable
{
    /// <summary>The sum torchvision's reference training loop minimizes.</summary>
    public Tensor Total { get; } = DisposeScope.Detach(Classifier + BoxReg + Mask + Objectness + RpnBoxReg);

    /// <summary>The values by torchvision's names.</summary>
    public IReadOnlyDictionary<string, double> Values() => new Dictionary<string, double>
    {
        ["loss_classifier"] = Classifier.item<float>(), ["loss_box_reg"] = BoxReg.item<float>(), ["loss_mask"] = Mask.item<float>(),
        ["loss_objectness"] = Objectness.item<float>(), ["loss_rpn_box_reg"] = RpnBoxReg.item<float>(),
    };

    public void Dispose()
    {
        foreach (var t in new[] { Classifier, BoxReg, Mask, Objectness, RpnBoxReg, Total }) t.Dispose();
    }
}

/// <summary>
/// The detections of one image, in its input coordinates: <see cref="Boxes"/> [n, 4] (x1, y1, x2, y2),
/// <see cref="Labels"/> [n] in 1..K, <see cref="Scores"/> [n], best first, and <see cref="Masks"/>
/// [n, 1, H, W] mask probabilities (threshold at 0.5 for a binary mask).
/// </summary>
public sealed class Detections(Tensor boxes, Tensor labels, Tensor scores, Tensor masks) : IDisposable
{
    public Tensor Boxes { get; } = DisposeScope.Detach(boxes);
    public Tensor Labels { get; } = DisposeScope.Detach(labels);
    public Tensor Scores { get; } = DisposeScope.Detach(scores);
    public Tensor Masks { get; } = DisposeScope.Detach(masks);
    public int Count => (int)Boxes.size(0);

    /// <summary>The detections as the COCO evaluation reads them.</summary>
    public List<PredictedObject> ToPredictions(double maskThreshold = 0.5) => CocoEvaluator.Predictions(Boxes, Labels, Scores, Masks, maskThreshold);

    public void Dispose()
    {
        Boxes.Dispose();
        Labels.Dispose();
        Scores.Dispose();
        Masks.Dispose();
    }
}

/// <summary>
/// Mask R-CNN with an FPN on a universally slimmable backbone (science.md 10.5), built as torchvision
/// 0.14's <c>maskrcnn_resnet50_fpn</c> with its module and state_dict names (<c>backbone.body.*</c>,
/// <c>backbone.fpn.*</c>, <c>rpn.head.*</c>, <c>roi_heads.box_head.fc6</c>, ...). The backbone's width
/// is set once, when the detector is built: the whole detector runs at that width, and the FPN, RPN
/// and RoI heads keep their full width. <see cref="Losses"/> trains (train mode), <see cref="Detect"/>
/// infers (eval mode). The random sampling of anchors and proposals and the training min size come
/// from <see cref="Generator"/> (torch's global generator when null).
/// </summary>
public sealed class MaskRcnn : Module
{
    public MaskRcnn(SlimmableNetwork backbone, double width, MaskRcnnOptions options, long? seed = null)
    {
        Options = options.Validate();
        using var generator = seed is { } s ? new Generator(s) : null;
        Transform = new DetectorTransform(options);
        Backbone = register_module("backbone", new BackboneWithFpn(backbone, width, options, generator));
        var anchors = new AnchorGenerator(options.AnchorSizes, options.AspectRatios);
        Rpn = register_module("rpn", new RegionProposalNetwork(anchors, new RpnHead(options.FpnChannels, anchors.AnchorsPerLocation[0], generator), options));
        RoiHeads = register_module("roi_heads", new RoIHeads(options, generator));
        foreach (var bn in backbone.modules().OfType<BatchNormBase>())
        {
            bn.CreateRunningStats();
            if (options.BackboneNorm == BackboneNorm.Frozen)
                foreach (var p in new[] { bn.weight, bn.bias }) p?.requires_grad_(false);
        }
        train();
    }

    public MaskRcnnOptions Options { get; }
    public DetectorTransform Transform { get; }
    public BackboneWithFpn Backbone { get; }
    public RegionProposalNetwork Rpn { get; }
    public RoIHeads RoiHeads { get; }

    /// <summary>The backbone width the detector was built for.</summary>
    public double Width => Backbone.Width;

    /// <summary>Draws the sampled anchors and proposals and the training min sizes; null uses torch's global generator.</summary>
    public Generator? Generator { get; set; }

    /// <summary>Train or eval mode; with <see cref="BackboneNorm.Frozen"/> the backbone's BNs stay in eval mode.</summary>
    public override Module train(bool mode = true)
    {
        base.train(mode);
        if (Options.BackboneNorm == BackboneNorm.Frozen)
            foreach (var bn in Backbone.Body.modules().OfType<BatchNormBase>()) bn.train(false);
        return this;
    }

    /// <summary>
    /// The training losses of a batch: images [C, H, W] (uint8 or float in [0, 1]) and their targets
    /// (boxes in the images' pixels, labels 1..K, masks). Needs train mode.
    /// </summary>
    public MaskRcnnLosses Losses(IReadOnlyList<Tensor> images, IReadOnlyList<DetectionTarget> targets)
    {
        if (!training) throw new InvalidOperationException("MaskRcnn.Losses needs train mode (call train()).");
        using var scope = torch.NewDisposeScope();
        var (list, resized) = Transform.Apply(images, targets, training: true, Generator);
        using var batch = list;
        try
        {
            CheckBoxes(resized!);
            var features = Backbone.forward(batch.Tensors);
            var (proposals, _, rpn) = Rpn.Forward(batch, features, resized!.Select(t => t.Boxes).ToArray(), Generator);
            var roi = RoiHeads.Losses(features.Take(features.Length - 1).ToArray(), proposals, batch.ImageSizes, resized!, Generator);
            var losses = new MaskRcnnLosses(roi.Classifier, roi.BoxReg, roi.Mask, rpn!.Objectness, rpn.BoxReg);
            scope.MoveToOuter(losses.Classifier, losses.BoxReg, losses.Mask, losses.Objectness, losses.RpnBoxReg);
            return losses;
        }
        finally
        {
            foreach (var t in resized!) t.Dispose();
        }
    }

    /// <summary>The detections of each image, in its own coordinates (eval mode, no gradients).</summary>
    public Detections[] Detect(IReadOnlyList<Tensor> images)
    {
        if (training) throw new InvalidOperationException("MaskRcnn.Detect needs eval mode (call eval()).");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (list, _) = Transform.Apply(images, null, training: false, Generator);
        using var batch = list;
        var features = Backbone.forward(batch.Tensors);
        var (proposals, _, _) = Rpn.Forward(batch, features, null, Generator);
        var found = RoiHeads.Detect(features.Take(features.Length - 1).ToArray(), proposals, batch.ImageSizes);
        var result = new Detections[images.Count];
        for (var i = 0; i < images.Count; i++)
        {
            var (boxes, masks) = Transform.Postprocess(found[i].Boxes, found[i].Masks, batch.ImageSizes[i], ((int)images[i].size(1), (int)images[i].size(2)));
            result[i] = new Detections(boxes, found[i].Labels, found[i].Scores, masks);
        }
        return result;
    }

    /// <summary>The RPN's proposals and objectness of each image, in the resized batch's coordinates (eval mode, no gradients).</summary>
    public (Tensor[] Boxes, Tensor[] Scores) Proposals(IReadOnlyList<Tensor> images)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (list, _) = Transform.Apply(images, null, training, Generator);
        using var batch = list;
        var (boxes, scores, _) = Rpn.Forward(batch, Backbone.forward(batch.Tensors), null, Generator);
        scope.MoveToOuter(boxes);
        scope.MoveToOuter(scores);
        return (boxes, scores);
    }

    /// <summary>
    /// The detector's state_dict with the backbone sliced to its width (science.md 1.2, as
    /// <see cref="WidthExporter"/>): the weights of a plain fixed-width torchvision Mask R-CNN.
    /// Contiguous copies the caller disposes.
    /// </summary>
    public OrderedDictionary<string, Tensor> FixedWidthStateDict()
    {
        var result = new OrderedDictionary<string, Tensor>();
        using var noGrad = torch.no_grad();
        foreach (var (name, tensor) in WidthExporter.Slice(Backbone.Body, Width)) result.Add("backbone.body." + name, tensor);
        using var scope = torch.NewDisposeScope();
        foreach (var (name, tensor) in state_dict())
            if (!name.StartsWith("backbone.body.", StringComparison.Ordinal)) result.Add(name, DisposeScope.Detach(tensor.contiguous().clone()));
        return result;
    }

    private static void CheckBoxes(IReadOnlyList<DetectionTarget> targets)
    {
        foreach (var t in targets)
        {
            using var scope = torch.NewDisposeScope();
            var b = t.Boxes;
            var bad = (b.narrow(1, 2, 2) <= b.narrow(1, 0, 2)).any(1).nonzero().view(-1);
            if (bad.numel() > 0)
            {
                var row = b[bad[0].item<long>()].ToArray<float>();
                throw new ArgumentException(
                    $"MaskRcnn: image {t.ImageId} has a box without width or height, [{string.Join(", ", row)}]; train on DetectionTarget.ForTraining().");
            }
        }
    }
}
