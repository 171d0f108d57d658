using US3L.Torch;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Detection;

/// <summary>The RoI heads' losses as torchvision computes them (science.md 10.5 [T]).</summary>
public static class RoIHeadLosses
{
    /// <summary>
    /// fastrcnn_loss: cross-entropy over the sampled proposals' class logits, and smooth L1
    /// (β = 1/9, summed) between the deltas predicted for each positive's own class and its regression
    /// target, divided by the number of sampled proposals (positives and negatives).
    /// </summary>
    public static (Tensor Classifier, Tensor BoxReg) FastRcnn(Tensor classLogits, Tensor boxRegression, IReadOnlyList<Tensor> labels,
        IReadOnlyList<Tensor> regressionTargets)
    {
        using var scope = torch.NewDisposeScope();
        var l = torch.cat(labels);
        var targets = torch.cat(regressionTargets);
        var classification = F.cross_entropy(classLogits, l);
        var pos = l.gt(0).nonzero().view(-1);
        var labelsPos = l.index_select(0, pos);
        var n = classLogits.size(0);
        var numClasses = classLogits.size(1);
        var perClass = boxRegression.reshape(n * numClasses, 4);
        var selected = perClass.index_select(0, pos * numClasses + labelsPos);
        var boxLoss = F.smooth_l1_loss(selected, targets.index_select(0, pos), reduction: "sum", beta: 1.0 / 9) / l.numel();
        scope.MoveToOuter(classification, boxLoss);
        return (classification, boxLoss);
    }

    /// <summary>
    /// maskrcnn_loss: binary cross-entropy between each positive proposal's mask logits of its
    /// ground-truth class and the ground-truth mask RoIAligned onto the proposal at the logits'
    /// resolution (<see cref="ProjectMasksOnBoxes"/>); 0 (keeping the graph) without positives.
    /// </summary>
    public static Tensor MaskRcnn(Tensor maskLogits, IReadOnlyList<Tensor> proposals, IReadOnlyList<Tensor> gtMasks,
        IReadOnlyList<Tensor> gtLabels, IReadOnlyList<Tensor> matchedIdxs)
    {
        using var scope = torch.NewDisposeScope();
        var m = maskLogits.size(-1);
        var labels = torch.cat(gtLabels.Select((g, i) => g.index_select(0, matchedIdxs[i])).ToArray());
        var targets = torch.cat(proposals.Select((p, i) => ProjectMasksOnBoxes(gtMasks[i], p, matchedIdxs[i], (int)m)).ToArray());
        if (targets.numel() == 0) return scope.MoveToOuter(maskLogits.sum() * 0);
        var r = maskLogits.size(0);
        var classes = maskLogits.size(1);
        var own = maskLogits.reshape(r * classes, m, m).index_select(0, torch.arange(r, ScalarType.Int64, labels.device) * classes + labels);
        return scope.MoveToOuter(F.binary_cross_entropy_with_logits(own, targets));
    }

    /// <summary>
    /// torchvision's project_masks_on_boxes: the ground-truth masks [G, H, W] (their
    /// <paramref name="matchedIdxs"/> rows) cropped to <paramref name="boxes"/> and resized to M×M by
    /// RoIAlign (scale 1, adaptive sampling, legacy alignment), as float in [0, 1].
    /// </summary>
    public static Tensor ProjectMasksOnBoxes(Tensor gtMasks, Tensor boxes, Tensor matchedIdxs, int m)
    {
        using var scope = torch.NewDisposeScope();
        var rois = torch.cat(new[] { matchedIdxs.to(boxes.dtype).unsqueeze(1), boxes }, dim: 1);
        var masks = gtMasks.unsqueeze(1).to(rois.dtype);
        return scope.MoveToOuter(torchvision.ops.roi_align(masks, rois, m, 1.0).select(1, 0));
    }
}
