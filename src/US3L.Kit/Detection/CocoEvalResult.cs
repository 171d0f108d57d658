using System.Globalization;
using System.Text;

namespace US3L.Detection;

/// <summary>
/// The twelve numbers of pycocotools' summarize() for boxes or masks: AP over IoU 0.50:0.95, AP at
/// 0.50 and 0.75, AP for small/medium/large objects, AR with at most 1, 10 and 100 detections per
/// image, and AR@100 for small/medium/large. A value is -1 when no ground truth falls in that setting.
/// </summary>
public sealed record CocoSummary(double AP, double AP50, double AP75, double APSmall, double APMedium, double APLarge,
    double AR1, double AR10, double AR100, double ARSmall, double ARMedium, double ARLarge)
{
    public static readonly IReadOnlyList<string> Names =
        new[] { "AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl" };

    /// <summary>The values in pycocotools' stats order.</summary>
    public double[] ToArray() => new[] { AP, AP50, AP75, APSmall, APMedium, APLarge, AR1, AR10, AR100, ARSmall, ARMedium, ARLarge };

    public override string ToString()
    {
        var v = ToArray();
        return string.Join(", ", Names.Select((n, i) => $"{n} {v[i].ToString("0.000", CultureInfo.InvariantCulture)}"));
    }
}

/// <summary>What COCOeval.accumulate produces, and its summary.</summary>
public sealed class CocoEvalResult
{
    private readonly double[] precision;
    private readonly double[] recall;

    internal CocoEvalResult(IouType type, CocoEvalParams parameters, int numClasses, double[] precision, double[] recall)
    {
        IouType = type;
        Params = parameters;
        NumClasses = numClasses;
        this.precision = precision;
        this.recall = recall;
        Summary = Summarize();
    }

    public IouType IouType { get; }
    public CocoEvalParams Params { get; }
    public int NumClasses { get; }
    public CocoSummary Summary { get; }

    /// <summary>Interpolated precision at IoU threshold t, recall threshold r, label k + 1, area range a, maxDets m; -1 without ground truth.</summary>
    public double Precision(int t, int r, int k, int a, int m) =>
        precision[(((t * Params.RecallThresholds.Length + r) * NumClasses + k) * Params.AreaRanges.Length + a) * Params.MaxDets.Length + m];

    /// <summary>Final recall at IoU threshold t for label k + 1, area range a, maxDets m; -1 without ground truth.</summary>
    public double Recall(int t, int k, int a, int m) =>
        recall[((t * NumClasses + k) * Params.AreaRanges.Length + a) * Params.MaxDets.Length + m];

    /// <summary>AP of one label (k = label - 1) over all IoU thresholds, all areas, the largest maxDets; -1 without ground truth.</summary>
    public double ClassAP(int label) => Mean(true, null, "all", Params.MaxDets[^1], label - 1);

    private CocoSummary Summarize()
    {
        var p = Params;
        int Det(int i) => i < p.MaxDets.Length ? p.MaxDets[i] : -1;
        return new CocoSummary(
            Mean(true, null, "all", 100), Mean(true, 0.5, "all", Det(2)), Mean(true, 0.75, "all", Det(2)),
            Mean(true, null, "small", Det(2)), Mean(true, null, "medium", Det(2)), Mean(true, null, "large", Det(2)),
            Mean(false, null, "all", Det(0)), Mean(false, null, "all", Det(1)), Mean(false, null, "all", Det(2)),
            Mean(false, null, "small", Det(2)), Mean(false, null, "medium", Det(2)), Mean(false, null, "large", Det(2)));
    }

    /// <summary>
    /// COCOeval._summarize: the mean of the precision (ap) or recall entries of the chosen settings
    /// that are not -1, or -1 when none is; labels all, or only <paramref name="onlyClass"/>.
    /// </summary>
    private double Mean(bool ap, double? iouThreshold, string areaLabel, int maxDets, int? onlyClass = null)
    {
        var p = Params;
        var ts = Enumerable.Range(0, p.IouThresholds.Length).Where(t => iouThreshold is null || p.IouThresholds[t] == iouThreshold).ToArray();
        var areas = Enumerable.Range(0, p.AreaRanges.Length).Where(a => p.AreaRanges[a].Label == areaLabel).ToArray();
        var dets = Enumerable.Range(0, p.MaxDets.Length).Where(m => p.MaxDets[m] == maxDets).ToArray();
        var classes = onlyClass is { } c ? new[] { c } : Enumerable.Range(0, NumClasses).ToArray();
        double sum = 0;
        var n = 0;
        // numpy's order over the [T, R, K, A, M] (or [T, K, A, M]) slice, so the sums round alike.
        var recalls = ap ? p.RecallThresholds.Length : 1;
        foreach (var t in ts)
            for (var r = 0; r < recalls; r++)
                foreach (var k in classes)
                    foreach (var a in areas)
                        foreach (var m in dets)
                            Add(ap ? Precision(t, r, k, a, m) : Recall(t, k, a, m));
        return n == 0 ? -1 : sum / n;

        void Add(double v)
        {
            if (v <= -1) return;
            sum += v;
            n++;
        }
    }

    /// <summary>The summary as pycocotools prints it.</summary>
    public string Report()
    {
        var s = new StringBuilder();
        var v = Summary.ToArray();
        string[] lines =
        {
            "Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]",
            "Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ]",
            "Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ]",
            "Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ]",
            "Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ]",
            "Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ]",
            "Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ]",
            "Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ]",
            "Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]",
            "Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ]",
            "Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ]",
            "Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ]",
        };
        s.AppendLine(IouType == IouType.Box ? "bbox" : "segm");
        for (var i = 0; i < lines.Length; i++) s.AppendLine($" {lines[i]} = {v[i].ToString("0.000", CultureInfo.InvariantCulture)}");
        return s.ToString();
    }
}
