using US3L.Torch;

namespace US3L.Detection;

/// <summary>One detection: COCO box (x, y, width, height), label 1..K, confidence, and (for mask evaluation) its full-image mask.</summary>
public sealed record PredictedObject(int Label, (double X, double Y, double W, double H) Box, double Score, Rle? Mask = null);

/// <summary>
/// COCO detection and instance-segmentation evaluation, following pycocotools' COCOeval step for step
/// (evaluate, accumulate, summarize; science.md 10.4). Add every evaluated image once, with its
/// ground truth and its detections (an image without detections counts too: its objects are
/// missed). Categories are the labels 1..K. Per image and category the detections are ranked by
/// score (ties keep the order given) and capped at the last MaxDets; at each IoU threshold each is
/// matched greedily to the best still-free ground truth with IoU at least the threshold, preferring
/// regular over ignored objects. Crowd regions and objects outside the area range are ignored:
/// detections matched to them count neither as hits nor as misses, a crowd region can absorb any
/// number of detections, and IoU with a crowd region is |d ∩ g| / |d|. Unmatched detections outside
/// the area range are ignored too. Precision is interpolated at 101 recall points.
/// </summary>
public sealed class CocoEvaluator
{
    private readonly SortedDictionary<long, (ImageTruth Truth, PredictedObject[] Predictions)> images = new();

    public CocoEvaluator(int numClasses)
    {
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "CocoEvaluator: need at least one class.");
        NumClasses = numClasses;
    }

    public int NumClasses { get; }
    public int ImageCount => images.Count;

    /// <summary>Adds one image: its ground truth and its detections (in any order; ties in score keep this order).</summary>
    public void Add(ImageTruth truth, IReadOnlyList<PredictedObject> predictions)
    {
        if (images.ContainsKey(truth.ImageId)) throw new ArgumentException($"CocoEvaluator: image {truth.ImageId} was added twice.");
        foreach (var g in truth.Objects)
        {
            if (g.Label < 1 || g.Label > NumClasses)
                throw new ArgumentException($"CocoEvaluator: image {truth.ImageId}: object {g.Id} has label {g.Label}, outside 1..{NumClasses}.");
            CheckMask(g.Mask, truth, $"object {g.Id}");
        }
        for (var i = 0; i < predictions.Count; i++)
        {
            var d = predictions[i];
            if (d.Label < 1 || d.Label > NumClasses)
                throw new ArgumentException($"CocoEvaluator: image {truth.ImageId}: detection {i} has label {d.Label}, outside 1..{NumClasses}.");
            if (!double.IsFinite(d.Score)) throw new ArgumentException($"CocoEvaluator: image {truth.ImageId}: detection {i} has score {d.Score}.");
            if (d.Mask is not null) CheckMask(d.Mask, truth, $"detection {i}");
        }
        images.Add(truth.ImageId, (truth, predictions.ToArray()));
    }

    private static void CheckMask(Rle mask, ImageTruth truth, string what)
    {
        if (mask.Height != truth.Height || mask.Width != truth.Width)
            throw new ArgumentException(
                $"CocoEvaluator: image {truth.ImageId}: the mask of {what} is {mask.Height}x{mask.Width}, the image {truth.Height}x{truth.Width}.");
    }

    /// <summary>
    /// Detections from a detector's output tensors: <paramref name="boxes"/> [N, 4] (x1, y1, x2, y2),
    /// <paramref name="labels"/> [N], <paramref name="scores"/> [N], and optionally
    /// <paramref name="masks"/> [N, 1, H, W] or [N, H, W] (floating masks are set above
    /// <paramref name="maskThreshold"/>, integer or bool masks where non-zero), as torchvision's
    /// COCO evaluator converts them.
    /// </summary>
    public static List<PredictedObject> Predictions(Tensor boxes, Tensor labels, Tensor scores, Tensor? masks = null, double maskThreshold = 0.5)
    {
        DetectionChecks.Boxes(boxes, "CocoEvaluator.Predictions", nameof(boxes));
        var n = (int)boxes.size(0);
        if (labels.numel() != n || scores.numel() != n)
            throw new ArgumentException($"CocoEvaluator.Predictions: {n} boxes but {labels.numel()} labels and {scores.numel()} scores.");
        using var scope = torch.NewDisposeScope();
        var b = boxes.to(ScalarType.Float64, Device.CPU).ToArray<double>();
        var l = labels.to(ScalarType.Int64, Device.CPU).ToArray<long>();
        var s = scores.to(ScalarType.Float64, Device.CPU).ToArray<double>();
        byte[]? bits = null;
        int h = 0, w = 0;
        if (masks is not null)
        {
            var m = masks.dim() == 4 && masks.size(1) == 1 ? masks.squeeze(1) : masks;
            if (m.dim() != 3 || m.size(0) != n)
                throw new ArgumentException($"CocoEvaluator.Predictions: masks must be [{n}, 1, H, W] or [{n}, H, W], got {DetectionChecks.Shape(masks)}.");
            (h, w) = ((int)m.size(1), (int)m.size(2));
            var set = m.is_floating_point() ? m > maskThreshold : m.ne(0);
            bits = set.to(ScalarType.UInt8, Device.CPU).contiguous().ToArray<byte>();
        }
        var result = new List<PredictedObject>(n);
        for (var i = 0; i < n; i++)
        {
            var mask = bits is null ? null : Rle.Encode(bits.AsSpan(i * h * w, h * w), h, w);
            result.Add(new PredictedObject((int)l[i], (b[4 * i], b[4 * i + 1], b[4 * i + 2] - b[4 * i], b[4 * i + 3] - b[4 * i + 1]), s[i], mask));
        }
        return result;
    }

    /// <summary>Runs the evaluation on everything added (COCOeval evaluate + accumulate + summarize).</summary>
    public CocoEvalResult Evaluate(IouType type, CocoEvalParams? parameters = null)
    {
        var p = parameters ?? CocoEvalParams.Default;
        p.Validate();
        int K = NumClasses, A = p.AreaRanges.Length, I = images.Count;
        var evals = new ImageEval?[K, A, I];
        var i = 0;
        foreach (var (truth, predictions) in images.Values)
        {
            var truthByLabel = truth.Objects.ToLookup(g => g.Label);
            var predictionsByLabel = predictions.ToLookup(d => d.Label);
            for (var k = 0; k < K; k++)
            {
                var label = k + 1;
                var gts = truthByLabel[label].ToArray();
                // A stable sort: equal scores keep the order given (numpy's mergesort in pycocotools).
                var dts = predictionsByLabel[label].OrderByDescending(d => d.Score).Take(p.MaxDets[^1]).ToArray();
                if (gts.Length == 0 && dts.Length == 0) continue;
                var ious = Ious(type, dts, gts, truth.ImageId);
                for (var a = 0; a < A; a++)
                    evals[k, a, i] = EvaluateImage(type, gts, dts, ious, p.AreaRanges[a], p.MaxDets[^1], p.IouThresholds);
            }
            i++;
        }
        return Accumulate(type, evals, p);
    }

    /// <summary>IoU [D, G] of the ranked detections against the ground truth, with pycocotools' crowd rule.</summary>
    private static double[,] Ious(IouType type, PredictedObject[] dts, TruthObject[] gts, long imageId)
    {
        var ious = new double[dts.Length, gts.Length];
        for (var d = 0; d < dts.Length; d++)
            for (var g = 0; g < gts.Length; g++)
            {
                if (type == IouType.Box)
                    ious[d, g] = BoxIou(dts[d].Box, gts[g].Box, gts[g].IsCrowd);
                else
                    ious[d, g] = Rle.Iou(dts[d].Mask ?? throw new ArgumentException(
                        $"CocoEvaluator: mask evaluation needs masks, but a detection of image {imageId} has none."), gts[g].Mask, gts[g].IsCrowd);
            }
        return ious;
    }

    /// <summary>pycocotools' box IoU on (x, y, w, h); for a crowd region the union is the detection's own area.</summary>
    internal static double BoxIou((double X, double Y, double W, double H) d, (double X, double Y, double W, double H) g, bool crowd)
    {
        var w = Math.Min(d.W + d.X, g.W + g.X) - Math.Max(d.X, g.X);
        if (w <= 0) return 0;
        var h = Math.Min(d.H + d.Y, g.H + g.Y) - Math.Max(d.Y, g.Y);
        if (h <= 0) return 0;
        var inter = w * h;
        var da = d.W * d.H;
        return inter / (crowd ? da : da + g.W * g.H - inter);
    }

    /// <summary>The matches of one image and category within one area range (COCOeval.evaluateImg).</summary>
    private sealed record ImageEval(double[] Scores, bool[,] DtMatched, bool[,] DtIgnored, bool[] GtIgnored);

    private static ImageEval EvaluateImage(IouType type, TruthObject[] gts, PredictedObject[] dts, double[,] ious,
        (string Label, double Min, double Max) range, int maxDet, double[] thresholds)
    {
        int T = thresholds.Length, G = gts.Length, D = Math.Min(dts.Length, maxDet);
        var ignore = gts.Select(g => g.IsCrowd || g.Area < range.Min || g.Area > range.Max).ToArray();
        // Regular objects first, ignored ones after, each group in the given order.
        var order = Enumerable.Range(0, G).OrderBy(g => ignore[g] ? 1 : 0).ToArray();
        var gtIgnored = order.Select(g => ignore[g]).ToArray();
        var gtMatched = new bool[T, G];
        var dtMatched = new bool[T, D];
        var dtIgnored = new bool[T, D];
        for (var t = 0; t < T; t++)
            for (var d = 0; d < D; d++)
            {
                var best = Math.Min(thresholds[t], 1 - 1e-10);
                var m = -1;
                for (var gi = 0; gi < G; gi++)
                {
                    var g = order[gi];
                    if (gtMatched[t, gi] && !gts[g].IsCrowd) continue;
                    // Once matched to a regular object, never move to an ignored one.
                    if (m > -1 && !gtIgnored[m] && gtIgnored[gi]) break;
                    if (ious[d, g] < best) continue;
                    best = ious[d, g];
                    m = gi;
                }
                if (m == -1) continue;
                dtIgnored[t, d] = gtIgnored[m];
                dtMatched[t, d] = true;
                gtMatched[t, m] = true;
            }
        var scores = new double[D];
        for (var d = 0; d < D; d++)
        {
            scores[d] = dts[d].Score;
            var area = type == IouType.Box ? dts[d].Box.W * dts[d].Box.H : dts[d].Mask!.Area;
            if (area >= range.Min && area <= range.Max) continue;
            for (var t = 0; t < T; t++)
                if (!dtMatched[t, d]) dtIgnored[t, d] = true;
        }
        return new ImageEval(scores, dtMatched, dtIgnored, gtIgnored);
    }

    /// <summary>COCOeval.accumulate: precision [T, R, K, A, M] and recall [T, K, A, M], -1 where a setting has no regular object.</summary>
    private static CocoEvalResult Accumulate(IouType type, ImageEval?[,,] evals, CocoEvalParams p)
    {
        int T = p.IouThresholds.Length, R = p.RecallThresholds.Length, K = evals.GetLength(0), A = evals.GetLength(1),
            M = p.MaxDets.Length, I = evals.GetLength(2);
        var precision = new double[T * R * K * A * M];
        var recall = new double[T * K * A * M];
        Array.Fill(precision, -1.0);
        Array.Fill(recall, -1.0);
        const double eps = 2.220446049250313e-16; // numpy.spacing(1)
        for (var k = 0; k < K; k++)
            for (var a = 0; a < A; a++)
                for (var m = 0; m < M; m++)
                {
                    var maxDet = p.MaxDets[m];
                    var entries = Enumerable.Range(0, I).Select(i => evals[k, a, i]).Where(e => e is not null).Select(e => e!).ToList();
                    if (entries.Count == 0) continue;
                    var dets = new List<(double Score, ImageEval Eval, int Index)>();
                    foreach (var e in entries)
                        for (var d = 0; d < Math.Min(maxDet, e.Scores.Length); d++)
                            dets.Add((e.Scores[d], e, d));
                    var ranked = dets.OrderByDescending(x => x.Score).ToArray();
                    var regular = entries.Sum(e => e.GtIgnored.Count(ig => !ig));
                    if (regular == 0) continue;
                    var nd = ranked.Length;
                    var rc = new double[nd];
                    var pr = new double[nd];
                    for (var t = 0; t < T; t++)
                    {
                        double tp = 0, fp = 0;
                        for (var j = 0; j < nd; j++)
                        {
                            var (_, e, d) = ranked[j];
                            if (!e.DtIgnored[t, d])
                            {
                                if (e.DtMatched[t, d]) tp++;
                                else fp++;
                            }
                            rc[j] = tp / regular;
                            pr[j] = tp / (fp + tp + eps);
                        }
                        recall[((t * K + k) * A + a) * M + m] = nd > 0 ? rc[nd - 1] : 0;
                        // Precision envelope: the best precision at this recall or any higher one.
                        for (var j = nd - 1; j > 0; j--)
                            if (pr[j] > pr[j - 1]) pr[j - 1] = pr[j];
                        var pi = 0;
                        for (var r = 0; r < R; r++)
                        {
                            while (pi < nd && rc[pi] < p.RecallThresholds[r]) pi++;
                            precision[(((t * R + r) * K + k) * A + a) * M + m] = pi < nd ? pr[pi] : 0;
                        }
                    }
                }
        return new CocoEvalResult(type, p, K, precision, recall);
    }
}
