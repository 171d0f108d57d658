using US3L.Torch;
using US3L.Torch.nn;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Detection;

/// <summary>The RoI heads' training losses.</summary>
public sealed record RoIHeadLossValues(Tensor Classifier, Tensor BoxReg, Tensor Mask);

/// <summary>
/// torchvision's RoIHeads with the mask branch (science.md 10.5 [T]). Training: the ground-truth
/// boxes join the proposals, each proposal takes the ground truth it overlaps most (IoU ≥ 0.5
/// foreground with that object's label, below 0.5 background), 512 per image are sampled with up to
/// a quarter foreground, and the box head (7×7 RoIAlign, fc6, fc7) classifies them and regresses
/// per-class deltas (weights 10, 10, 5, 5); the mask head (14×14 RoIAlign, four 3x3 convs, a 2x
/// upsampling, one logit map per class) runs on the foreground proposals only. Inference: softmax
/// scores, per-class decoded and clipped boxes, scores above 0.05, boxes with sides ≥ 0.01, NMS at
/// IoU 0.5 per class, the best 100 per image; then the mask head on the kept boxes, each reading the
/// sigmoid map of its predicted class.
/// </summary>
public sealed class RoIHeads : Module
{
    private readonly MaskRcnnOptions options;
    private readonly BoxCoder boxCoder;
    private readonly Matcher matcher;
    private readonly BalancedSampler sampler;
    private readonly MultiScaleRoIAlign boxPool;
    private readonly MultiScaleRoIAlign maskPool;

    public RoIHeads(MaskRcnnOptions options, Generator? generator = null)
    {
        this.options = options;
        var c = options.FpnChannels;
        BoxHead = register_module("box_head", new TwoMlpHead(c * options.BoxRoiSize * options.BoxRoiSize, options.RepresentationSize, generator));
        BoxPredictor = register_module("box_predictor", new FastRcnnPredictor(options.RepresentationSize, options.NumClasses, generator));
        MaskHead = register_module("mask_head", MaskRcnnHeads.Create(c, options.MaskLayers, generator: generator));
        MaskPredictor = register_module("mask_predictor", MaskRcnnPredictor.Create(options.MaskLayers[^1], options.MaskDimReduced, options.NumClasses, generator));
        boxCoder = BoxCoder.BoxHead();
        matcher = new Matcher(options.BoxFgIouThresh, options.BoxBgIouThresh, allowLowQualityMatches: false);
        sampler = new BalancedSampler(options.BoxBatchSizePerImage, options.BoxPositiveFraction);
        boxPool = new MultiScaleRoIAlign(options.BoxRoiSize, options.RoiSamplingRatio, options.CanonicalScale, options.CanonicalLevel);
        maskPool = new MultiScaleRoIAlign(options.MaskRoiSize, options.RoiSamplingRatio, options.CanonicalScale, options.CanonicalLevel);
    }

    public TwoMlpHead BoxHead { get; }
    public FastRcnnPredictor BoxPredictor { get; }
    public Sequential MaskHead { get; }
    public Sequential MaskPredictor { get; }

    /// <summary>Training: the box and mask losses for the proposals and targets (resized to the batch).</summary>
    public RoIHeadLossValues Losses(Tensor[] features, IReadOnlyList<Tensor> proposals, IReadOnlyList<(int Height, int Width)> imageSizes,
        IReadOnlyList<DetectionTarget> targets, Generator? generator)
    {
        using var scope = torch.NewDisposeScope();
        var (sampled, matchedIdxs, labels, regressionTargets) = SelectTrainingSamples(proposals, targets, generator);
        var boxFeatures = BoxHead.forward(boxPool.Pool(features, sampled, imageSizes));
        var (classLogits, boxRegression) = BoxPredictor.forward(boxFeatures);
        var (classifier, boxReg) = RoIHeadLosses.FastRcnn(classLogits, boxRegression, labels, regressionTargets);

        var maskProposals = new Tensor[sampled.Length];
        var posMatched = new Tensor[sampled.Length];
        for (var i = 0; i < sampled.Length; i++)
        {
            var pos = labels[i].gt(0).nonzero().view(-1);
            maskProposals[i] = sampled[i].index_select(0, pos);
            posMatched[i] = matchedIdxs[i].index_select(0, pos);
        }
        var maskLogits = MaskLogits(features, maskProposals, imageSizes);
        var mask = RoIHeadLosses.MaskRcnn(maskLogits, maskProposals, targets.Select(t => t.Masks).ToArray(), targets.Select(t => t.Labels).ToArray(), posMatched);
        scope.MoveToOuter(classifier, boxReg, mask);
        return new RoIHeadLossValues(classifier, boxReg, mask);
    }

    /// <summary>Inference: per image, the kept boxes, scores, labels and 28×28-style mask probabilities [n, 1, M, M] of their classes.</summary>
    public (Tensor Boxes, Tensor Scores, Tensor Labels, Tensor Masks)[] Detect(Tensor[] features, IReadOnlyList<Tensor> proposals,
        IReadOnlyList<(int Height, int Width)> imageSizes)
    {
        using var scope = torch.NewDisposeScope();
        var boxFeatures = BoxHead.forward(boxPool.Pool(features, proposals, imageSizes));
        var (classLogits, boxRegression) = BoxPredictor.forward(boxFeatures);
        var detections = PostprocessDetections(classLogits, boxRegression, proposals, imageSizes);
        var maskLogits = MaskLogits(features, detections.Select(d => d.Boxes).ToArray(), imageSizes);
        var labels = torch.cat(detections.Select(d => d.Labels).ToArray());
        var r = maskLogits.size(0);
        var m = maskLogits.size(-1);
        var probabilities = maskLogits.sigmoid().reshape(r * maskLogits.size(1), m, m)
            .index_select(0, torch.arange(r, ScalarType.Int64, labels.device) * maskLogits.size(1) + labels).unsqueeze(1);
        var perImage = probabilities.split(detections.Select(d => d.Boxes.size(0)).ToArray());
        var result = new (Tensor, Tensor, Tensor, Tensor)[detections.Length];
        for (var i = 0; i < detections.Length; i++)
        {
            var d = detections[i];
            scope.MoveToOuter(d.Boxes, d.Scores, d.Labels, perImage[i]);
            result[i] = (d.Boxes, d.Scores, d.Labels, perImage[i]);
        }
        return result;
    }

    private Tensor MaskLogits(Tensor[] features, IReadOnlyList<Tensor> boxes, IReadOnlyList<(int Height, int Width)> imageSizes) =>
        MaskPredictor.forward(MaskHead.forward(maskPool.Pool(features, boxes, imageSizes)));

    private (Tensor[] Proposals, Tensor[] MatchedIdxs, Tensor[] Labels, Tensor[] RegressionTargets) SelectTrainingSamples(
        IReadOnlyList<Tensor> proposals, IReadOnlyList<DetectionTarget> targets, Generator? generator)
    {
        var n = proposals.Count;
        var withGt = new Tensor[n];
        var matched = new Tensor[n];
        var labels = new Tensor[n];
        for (var i = 0; i < n; i++)
        {
            var gtBoxes = targets[i].Boxes.to(proposals[i].dtype);
            withGt[i] = torch.cat(new[] { proposals[i], gtBoxes });
            if (gtBoxes.numel() == 0)
            {
                matched[i] = torch.zeros(new[] { withGt[i].size(0) }, ScalarType.Int64, withGt[i].device);
                labels[i] = torch.zeros(new[] { withGt[i].size(0) }, ScalarType.Int64, withGt[i].device);
                continue;
            }
            var index = matcher.Match(torchvision.ops.box_iou(gtBoxes, withGt[i]));
            matched[i] = index.clamp_min(0).to(ScalarType.Int64);
            labels[i] = targets[i].Labels.index_select(0, matched[i]).to(ScalarType.Int64)
                .masked_fill(index.eq(Matcher.BelowLowThreshold), 0L).masked_fill(index.eq(Matcher.BetweenThresholds), -1L);
        }
        var (pos, neg) = sampler.Sample(labels, generator);
        var regression = new Tensor[n];
        for (var i = 0; i < n; i++)
        {
            var keep = (pos[i] | neg[i]).nonzero().view(-1);
            withGt[i] = withGt[i].index_select(0, keep);
            labels[i] = labels[i].index_select(0, keep);
            matched[i] = matched[i].index_select(0, keep);
            var gtBoxes = targets[i].Boxes.to(withGt[i].dtype);
            if (gtBoxes.numel() == 0) gtBoxes = torch.zeros(new long[] { 1, 4 }, withGt[i].dtype, withGt[i].device);
            regression[i] = boxCoder.EncodeSingle(gtBoxes.index_select(0, matched[i]), withGt[i]);
        }
        return (withGt, matched, labels, regression);
    }

    private (Tensor Boxes, Tensor Scores, Tensor Labels)[] PostprocessDetections(Tensor classLogits, Tensor boxRegression,
        IReadOnlyList<Tensor> proposals, IReadOnlyList<(int Height, int Width)> imageSizes)
    {
        var numClasses = classLogits.size(-1);
        var counts = proposals.Select(p => p.size(0)).ToArray();
        var predBoxes = boxCoder.Decode(boxRegression, proposals.ToArray()).split(counts);
        var predScores = F.softmax(classLogits, -1).split(counts);
        var result = new (Tensor, Tensor, Tensor)[proposals.Count];
        for (var i = 0; i < proposals.Count; i++)
        {
            var boxes = torchvision.ops.clip_boxes_to_image(predBoxes[i], imageSizes[i]);
            var scores = predScores[i];
            var labels = torch.arange(numClasses, ScalarType.Int64, scores.device).view(1, -1).expand_as(scores);
            boxes = boxes.narrow(1, 1, numClasses - 1).reshape(-1, 4);
            scores = scores.narrow(1, 1, numClasses - 1).reshape(-1);
            labels = labels.narrow(1, 1, numClasses - 1).reshape(-1);
            var keep = scores.gt(options.BoxScoreThresh).nonzero().view(-1);
            (boxes, scores, labels) = (boxes.index_select(0, keep), scores.index_select(0, keep), labels.index_select(0, keep));
            keep = torchvision.ops.remove_small_boxes(boxes, 1e-2);
            (boxes, scores, labels) = (boxes.index_select(0, keep), scores.index_select(0, keep), labels.index_select(0, keep));
            keep = torchvision.ops.batched_nms(boxes, scores, labels, options.BoxNmsThresh);
            keep = keep.narrow(0, 0, Math.Min(options.DetectionsPerImage, keep.size(0)));
            result[i] = (boxes.index_select(0, keep), scores.index_select(0, keep), labels.index_select(0, keep));
        }
        return result;
    }
}
