using US3L.Torch;
using US3L.Torch.nn;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Detection;

/// <summary>The RPN's two training losses.</summary>
public sealed record RpnLosses(Tensor Objectness, Tensor BoxReg);

/// <summary>
/// torchvision's RegionProposalNetwork (science.md 10.5 [T]). The head scores every anchor and
/// regresses its box; proposals are the anchors decoded with the (detached) deltas. Per image and
/// level the top pre-NMS-n anchors by objectness are kept, then boxes are clipped, tiny ones
/// (side &lt; 1e-3) and those scoring under the score threshold dropped, NMS (IoU 0.7) runs per level,
/// and the post-NMS-n best remain. Training matches anchors to the ground truth (IoU ≥ 0.7
/// positive, &lt; 0.3 negative, low-quality matches kept), samples 256 per image with up to half
/// positives, and returns binary cross-entropy on the sampled objectness and smooth L1 (β = 1/9,
/// summed, divided by the sampled count) on the positives' deltas. Train and test modes differ in
/// their top-n only.
/// </summary>
public sealed class RegionProposalNetwork : Module
{
    private readonly MaskRcnnOptions options;
    private readonly BoxCoder boxCoder = BoxCoder.Rpn();
    private readonly Matcher matcher;
    private readonly BalancedSampler sampler;

    public RegionProposalNetwork(AnchorGenerator anchorGenerator, RpnHead head, MaskRcnnOptions options)
    {
        AnchorGenerator = anchorGenerator;
        Head = register_module("head", head);
        this.options = options;
        matcher = new Matcher(options.RpnFgIouThresh, options.RpnBgIouThresh, allowLowQualityMatches: true);
        sampler = new BalancedSampler(options.RpnBatchSizePerImage, options.RpnPositiveFraction);
    }

    public AnchorGenerator AnchorGenerator { get; }
    public RpnHead Head { get; }

    private int PreNmsTopN => training ? options.RpnPreNmsTopNTrain : options.RpnPreNmsTopNTest;
    private int PostNmsTopN => training ? options.RpnPostNmsTopNTrain : options.RpnPostNmsTopNTest;

    /// <summary>
    /// The proposals [P_i, 4] of each image (with their objectness probabilities) and, when
    /// <paramref name="targetBoxes"/> are given (training), the losses. <paramref name="generator"/>
    /// draws the sampled anchors.
    /// </summary>
    public (Tensor[] Boxes, Tensor[] Scores, RpnLosses? Losses) Forward(ImageList images, Tensor[] features, IReadOnlyList<Tensor>? targetBoxes,
        Generator? generator)
    {
        using var scope = torch.NewDisposeScope();
        var (objectnessLevels, deltaLevels) = Head.forward(features);
        var grids = features.Select(f => (f.size(2), f.size(3))).ToArray();
        var anchors = AnchorGenerator.Anchors((images.Tensors.size(2), images.Tensors.size(3)), grids, features[0].dtype, features[0].device);
        var n = images.Count;
        var perLevel = objectnessLevels.Select(o => o.size(1) * o.size(2) * o.size(3)).ToArray();
        var (objectness, deltas) = ConcatBoxPredictionLayers(objectnessLevels, deltaLevels);
        var anchorList = Enumerable.Repeat(anchors, n).ToArray();
        var proposals = boxCoder.Decode(deltas.detach(), anchorList).view(n, -1, 4);
        var (boxes, scores) = FilterProposals(proposals, objectness, images.ImageSizes, perLevel);

        RpnLosses? losses = null;
        if (targetBoxes is not null)
        {
            var (labels, matchedBoxes) = AssignTargetsToAnchors(anchors, targetBoxes);
            var regressionTargets = boxCoder.Encode(matchedBoxes, anchorList);
            losses = ComputeLoss(objectness, deltas, labels, regressionTargets, generator);
            scope.MoveToOuter(losses.Objectness, losses.BoxReg);
        }
        scope.MoveToOuter(boxes);
        scope.MoveToOuter(scores);
        return (boxes, scores, losses);
    }

    /// <summary>torchvision's concat_box_prediction_layers: [N·Σ A·H·W, 1] logits and [N·Σ A·H·W, 4] deltas, anchor order.</summary>
    internal static (Tensor Objectness, Tensor Deltas) ConcatBoxPredictionLayers(Tensor[] objectness, Tensor[] deltas)
    {
        using var scope = torch.NewDisposeScope();
        var cls = new Tensor[objectness.Length];
        var reg = new Tensor[objectness.Length];
        for (var i = 0; i < objectness.Length; i++)
        {
            var (n, a, h, w) = (objectness[i].size(0), objectness[i].size(1), objectness[i].size(2), objectness[i].size(3));
            cls[i] = objectness[i].view(n, a, 1, h, w).permute(0, 3, 4, 1, 2).reshape(n, -1, 1);
            reg[i] = deltas[i].view(n, a, 4, h, w).permute(0, 3, 4, 1, 2).reshape(n, -1, 4);
        }
        var o = torch.cat(cls, dim: 1).flatten(0, -2);
        var d = torch.cat(reg, dim: 1).reshape(-1, 4);
        scope.MoveToOuter(o, d);
        return (o, d);
    }

    private (Tensor[] Boxes, Tensor[] Scores) FilterProposals(Tensor proposals, Tensor objectness, IReadOnlyList<(int Height, int Width)> imageSizes,
        long[] perLevel)
    {
        var n = proposals.size(0);
        var scores = objectness.detach().reshape(n, -1);
        var levels = torch.cat(perLevel.Select((count, l) => torch.full(new[] { count }, l, ScalarType.Int64, scores.device)).ToArray())
            .reshape(1, -1).expand_as(scores);
        var top = new List<Tensor>();
        long offset = 0;
        foreach (var count in perLevel)
        {
            var k = Math.Min(PreNmsTopN, count);
            var (_, index) = scores.narrow(1, offset, count).topk(k, dim: 1);
            top.Add(index + offset);
            offset += count;
        }
        var topIndex = torch.cat(top, dim: 1);
        var topScores = scores.gather(1, topIndex).sigmoid();
        var topLevels = levels.gather(1, topIndex);
        var topBoxes = proposals.gather(1, topIndex.unsqueeze(2).expand(n, topIndex.size(1), 4));

        var finalBoxes = new Tensor[n];
        var finalScores = new Tensor[n];
        for (var i = 0; i < n; i++)
        {
            var boxes = torchvision.ops.clip_boxes_to_image(topBoxes[i], imageSizes[i]);
            var (s, lvl) = (topScores[i], topLevels[i]);
            var keep = torchvision.ops.remove_small_boxes(boxes, 1e-3);
            (boxes, s, lvl) = (boxes.index_select(0, keep), s.index_select(0, keep), lvl.index_select(0, keep));
            keep = s.ge(options.RpnScoreThresh).nonzero().view(-1);
            (boxes, s, lvl) = (boxes.index_select(0, keep), s.index_select(0, keep), lvl.index_select(0, keep));
            keep = torchvision.ops.batched_nms(boxes, s, lvl, options.RpnNmsThresh);
            keep = keep.narrow(0, 0, Math.Min(PostNmsTopN, keep.size(0)));
            finalBoxes[i] = boxes.index_select(0, keep);
            finalScores[i] = s.index_select(0, keep);
        }
        return (finalBoxes, finalScores);
    }

    private (Tensor[] Labels, Tensor[] MatchedBoxes) AssignTargetsToAnchors(Tensor anchors, IReadOnlyList<Tensor> targetBoxes)
    {
        var labels = new Tensor[targetBoxes.Count];
        var matched = new Tensor[targetBoxes.Count];
        for (var i = 0; i < targetBoxes.Count; i++)
        {
            var gt = targetBoxes[i];
            if (gt.numel() == 0)
            {
                matched[i] = torch.zeros(anchors.shape, ScalarType.Float32, anchors.device);
                labels[i] = torch.zeros(new[] { anchors.size(0) }, ScalarType.Float32, anchors.device);
                continue;
            }
            var index = matcher.Match(torchvision.ops.box_iou(gt, anchors));
            matched[i] = gt.index_select(0, index.clamp_min(0).to(ScalarType.Int64));
            labels[i] = index.ge(0).to(ScalarType.Float32).masked_fill(index.eq(Matcher.BetweenThresholds), -1.0);
        }
        return (labels, matched);
    }

    private RpnLosses ComputeLoss(Tensor objectness, Tensor deltas, Tensor[] labels, Tensor[] regressionTargets, Generator? generator)
    {
        var (pos, neg) = sampler.Sample(labels, generator);
        var posIndex = torch.cat(pos).nonzero().view(-1);
        var negIndex = torch.cat(neg).nonzero().view(-1);
        var sampled = torch.cat(new[] { posIndex, negIndex });
        var flat = objectness.flatten();
        var allLabels = torch.cat(labels);
        var targets = torch.cat(regressionTargets);
        var boxLoss = F.smooth_l1_loss(deltas.index_select(0, posIndex), targets.index_select(0, posIndex), reduction: "sum", beta: 1.0 / 9)
            / sampled.numel();
        var objectnessLoss = F.binary_cross_entropy_with_logits(flat.index_select(0, sampled), allLabels.index_select(0, sampled));
        return new RpnLosses(objectnessLoss, boxLoss);
    }

    protected override void DisposeExtra() => AnchorGenerator.Dispose();
}
