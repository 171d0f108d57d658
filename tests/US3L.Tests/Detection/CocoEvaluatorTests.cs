using System.Text.Json.Nodes;
using US3L.Data;
using US3L.Detection;

namespace US3L.Tests.Detection;

/// <summary>
/// The COCO evaluation: hand-computed cases (perfect predictions, one shifted box, crowd regions,
/// maxDets, area ranges), and random scenes compared number for number (the 12 summary values and
/// the full precision and recall arrays) with a transcription of pycocotools' COCOeval.
/// </summary>
public class CocoEvaluatorTests
{
    private const int Size = 100;

    [Fact]
    public void PerfectPredictionsScoreOne()
    {
        foreach (var type in new[] { IouType.Box, IouType.Mask })
        {
            var eval = new CocoEvaluator(2);
            // A small (20x20), a medium (50x50) and a large (100x100) object, each found exactly.
            var boxes = new[] { (10, 10, 20, 20, 1), (30, 20, 50, 50, 2), (0, 0, 100, 100, 1) };
            for (var i = 0; i < boxes.Length; i++)
            {
                var (x, y, w, h, label) = boxes[i];
                var gt = Object(i + 1, label, x, y, w, h);
                eval.Add(Image(i, gt), new[] { new PredictedObject(label, gt.Box, 0.9, gt.Mask) });
            }
            var s = eval.Evaluate(type).Summary;
            Assert.All(s.ToArray(), v => Assert.Equal(1.0, v, 12));
        }
    }

    [Fact]
    public void OneShiftedBoxScoresTheThresholdsItsIouPasses()
    {
        // IoU of (0, 0, 10, 10) and (2, 0, 10, 10) is 80 / 120 = 0.667: it passes 0.50, 0.55, 0.60, 0.65.
        foreach (var type in new[] { IouType.Box, IouType.Mask })
        {
            var eval = new CocoEvaluator(1);
            var gt = Object(1, 1, 0, 0, 10, 10);
            var shifted = Object(0, 1, 2, 0, 10, 10);
            eval.Add(Image(0, gt), new[] { new PredictedObject(1, shifted.Box, 0.5, shifted.Mask) });
            var s = eval.Evaluate(type).Summary;
            Assert.Equal(0.4, s.AP, 12);
            Assert.Equal(1.0, s.AP50, 12);
            Assert.Equal(0.0, s.AP75, 12);
            Assert.Equal(0.4, s.APSmall, 12);
            Assert.Equal(-1, s.APMedium);
            Assert.Equal(-1, s.APLarge);
            Assert.Equal(0.4, s.AR1, 12);
            Assert.Equal(0.4, s.AR100, 12);
        }
    }

    [Fact]
    public void DetectionsOnACrowdRegionAreIgnored()
    {
        // A regular object found exactly, and two higher-scored detections inside a crowd region.
        CocoSummary Run(bool crowd)
        {
            var eval = new CocoEvaluator(1);
            var regular = Object(1, 1, 0, 0, 10, 10);
            var region = Object(2, 1, 50, 50, 40, 40, crowd);
            var inside1 = Object(0, 1, 55, 55, 10, 10);
            var inside2 = Object(0, 1, 70, 60, 12, 8);
            eval.Add(Image(0, regular, region), new[]
            {
                new PredictedObject(1, inside1.Box, 0.9, inside1.Mask), new PredictedObject(1, inside2.Box, 0.85, inside2.Mask),
                new PredictedObject(1, regular.Box, 0.8, regular.Mask),
            });
            return eval.Evaluate(IouType.Box).Summary;
        }
        var withCrowd = Run(crowd: true);
        Assert.Equal(1.0, withCrowd.AP, 12);
        Assert.Equal(1.0, withCrowd.AR100, 12);
        // As a regular object the region is missed and both detections are false positives ranked first.
        var without = Run(crowd: false);
        Assert.Equal(0.5, without.AR100, 12);
        Assert.True(without.AP < 0.5, $"AP without the crowd flag {without.AP}");
    }

    [Fact]
    public void MaxDetsAndAreaRangesSplitTheRecall()
    {
        var eval = new CocoEvaluator(1);
        var small = Object(1, 1, 0, 0, 10, 10);
        var large = Object(2, 1, 0, 0, 100, 100);
        eval.Add(Image(0, small, large), new[] { new PredictedObject(1, small.Box, 0.9), new PredictedObject(1, large.Box, 0.8) });
        var s = eval.Evaluate(IouType.Box).Summary;
        Assert.Equal(0.5, s.AR1, 12);
        Assert.Equal(1.0, s.AR10, 12);
        Assert.Equal(1.0, s.ARSmall, 12);
        Assert.Equal(1.0, s.ARLarge, 12);
        Assert.Equal(-1, s.ARMedium);
        Assert.Equal(1.0, s.APLarge, 12);
    }

    [Fact]
    public void ImagesWithoutDetectionsCountTheirObjectsAsMissed()
    {
        var eval = new CocoEvaluator(1);
        var a = Object(1, 1, 0, 0, 10, 10);
        eval.Add(Image(0, a), new[] { new PredictedObject(1, a.Box, 0.9) });
        eval.Add(Image(1, Object(2, 1, 5, 5, 10, 10)), Array.Empty<PredictedObject>());
        var s = eval.Evaluate(IouType.Box).Summary;
        Assert.Equal(0.5, s.AR100, 12);
        // Precision 1 up to recall 0.5, then nothing: 51 of the 101 recall points.
        Assert.Equal(51.0 / 101, s.AP, 12);
    }

    [Fact]
    public void BadInputsAreRejected()
    {
        var eval = new CocoEvaluator(2);
        var gt = Object(1, 1, 0, 0, 10, 10);
        Assert.Contains("label 3, outside 1..2", Assert.Throws<ArgumentException>(() => eval.Add(Image(0, gt), new[] { new PredictedObject(3, gt.Box, 0.5) })).Message);
        eval.Add(Image(0, gt), Array.Empty<PredictedObject>());
        Assert.Contains("image 0 was added twice", Assert.Throws<ArgumentException>(() => eval.Add(Image(0, gt), Array.Empty<PredictedObject>())).Message);
    }

    [Theory]
    [InlineData(IouType.Box, 21)]
    [InlineData(IouType.Mask, 22)]
    public void RandomScenesMatchPycocotools(IouType type, int seed)
    {
        var rng = new SeededRandom(seed);
        const int classes = 3;
        var eval = new CocoEvaluator(classes);
        var images = new JsonArray();
        var gts = new JsonArray();
        var dts = new JsonArray();
        long nextId = 1;
        for (var img = 0; img < 14; img++)
        {
            var truths = new List<TruthObject>();
            var predictions = new List<PredictedObject>();
            var objects = img == 3 ? 0 : rng.NextInt(0, 7);
            for (var o = 0; o < objects; o++)
            {
                var (x, y, w, h) = RandomBox(rng);
                var label = rng.NextInt(1, classes + 1);
                var crowd = rng.NextDouble() < 0.12;
                var mask = RectMask(x, y, w, h, rng);
                // Box evaluation reads the annotation's area field, which COCO sets to the mask area.
                var area = type == IouType.Box ? Math.Round(rng.NextDouble(0, 12000), 1) : mask.Area;
                truths.Add(new TruthObject(nextId, label, (x, y, w, h), area, crowd, mask));
                gts.Add(new JsonObject
                {
                    ["id"] = nextId++, ["image_id"] = img, ["category_id"] = label, ["bbox"] = CocoReference.Array(new[] { x, y, w, h }),
                    ["area"] = area, ["iscrowd"] = crowd ? 1 : 0, ["mask"] = Flat(mask),
                });
                // Most objects are found, with jitter; some twice.
                for (var copies = rng.NextDouble() < 0.8 ? (rng.NextDouble() < 0.2 ? 2 : 1) : 0; copies > 0; copies--)
                {
                    var jitter = rng.NextDouble(0, 0.35);
                    var bx = x + rng.NextDouble(-jitter, jitter) * w;
                    var by = y + rng.NextDouble(-jitter, jitter) * h;
                    var bw = w * (1 + rng.NextDouble(-jitter, jitter));
                    var bh = h * (1 + rng.NextDouble(-jitter, jitter));
                    var guessLabel = rng.NextDouble() < 0.9 ? label : rng.NextInt(1, classes + 1);
                    Predict(predictions, dts, img, guessLabel, (bx, by, bw, bh), Score(rng), type, rng);
                }
            }
            // False positives; one image gets more than maxDets of them.
            for (var f = img == 5 ? 130 : rng.NextInt(0, 4); f > 0; f--)
                Predict(predictions, dts, img, img == 5 ? 1 : rng.NextInt(1, classes + 1), RandomBox(rng), Score(rng), type, rng);
            images.Add(new JsonObject { ["id"] = img, ["height"] = Size, ["width"] = Size });
            eval.Add(new ImageTruth(img, Size, Size, truths), predictions);
        }
        var result = eval.Evaluate(type);
        var reference = CocoReference.Run("eval", new JsonObject
        {
            ["iou_type"] = type == IouType.Box ? "bbox" : "segm", ["num_classes"] = classes, ["images"] = images, ["gts"] = gts, ["dts"] = dts,
        });
        var stats = reference["stats"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        var ours = result.Summary.ToArray();
        for (var i = 0; i < 12; i++) Assert.True(Math.Abs(stats[i] - ours[i]) <= 1e-12, $"{CocoSummary.Names[i]}: ours {ours[i]:R}, pycocotools {stats[i]:R}");
        Assert.Contains(stats, v => v > 0.1 && v < 0.9);

        var p = result.Params;
        var precision = reference["precision"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        int T = p.IouThresholds.Length, R = p.RecallThresholds.Length, A = p.AreaRanges.Length, M = p.MaxDets.Length, n = 0;
        for (var t = 0; t < T; t++)
            for (var r = 0; r < R; r++)
                for (var k = 0; k < classes; k++)
                    for (var a = 0; a < A; a++)
                        for (var m = 0; m < M; m++)
                            Assert.Equal(precision[n++], result.Precision(t, r, k, a, m), 12);
        var recall = reference["recall"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        n = 0;
        for (var t = 0; t < T; t++)
            for (var k = 0; k < classes; k++)
                for (var a = 0; a < A; a++)
                    for (var m = 0; m < M; m++)
                        Assert.Equal(recall[n++], result.Recall(t, k, a, m), 12);
    }

    [Fact]
    public void PredictionsFromTensorsConvertBoxesAndThresholdMasks()
    {
        using var scope = torch.NewDisposeScope();
        var boxes = torch.tensor(new float[] { 1, 2, 4, 6 }, 1, 4);
        var masks = torch.tensor(new float[] { 0.2f, 0.6f, 0.51f, 0.5f }, 1, 1, 2, 2);
        var p = CocoEvaluator.Predictions(boxes, torch.tensor(new long[] { 2 }, 1), torch.tensor(new float[] { 0.75f }, 1), masks).Single();
        Assert.Equal((1.0, 2.0, 3.0, 4.0), p.Box);
        Assert.Equal(2, p.Label);
        Assert.Equal(0.75, p.Score, 6);
        Assert.Equal(new byte[] { 0, 1, 1, 0 }, p.Mask!.Decode());
    }

    private static double Score(SeededRandom rng) => Math.Round(rng.NextDouble(), 1); // few values: ties in score

    private static (double X, double Y, double W, double H) RandomBox(SeededRandom rng)
    {
        var w = Math.Round(rng.NextDouble(3, 100), 2);
        var h = Math.Round(rng.NextDouble(3, 100), 2);
        return (Math.Round(rng.NextDouble(0, Size - w), 2), Math.Round(rng.NextDouble(0, Size - h), 2), w, h);
    }

    private static void Predict(List<PredictedObject> predictions, JsonArray dts, int img, int label, (double X, double Y, double W, double H) box,
        double score, IouType type, SeededRandom rng)
    {
        var mask = type == IouType.Mask ? RectMask(box.X, box.Y, box.W, box.H, rng) : null;
        predictions.Add(new PredictedObject(label, box, score, mask));
        var d = new JsonObject { ["image_id"] = img, ["category_id"] = label, ["bbox"] = CocoReference.Array(new[] { box.X, box.Y, box.W, box.H }), ["score"] = score };
        if (mask is not null) d["mask"] = Flat(mask);
        dts.Add(d);
    }

    /// <summary>The pixels whose centres lie in the box, minus a few random ones.</summary>
    private static Rle RectMask(double x, double y, double w, double h, SeededRandom rng)
    {
        var m = new byte[Size * Size];
        for (var r = 0; r < Size; r++)
            for (var c = 0; c < Size; c++)
                if (c + 0.5 >= x && c + 0.5 < x + w && r + 0.5 >= y && r + 0.5 < y + h && rng.NextDouble() < 0.95) m[r * Size + c] = 1;
        return Rle.Encode(m, Size, Size);
    }

    /// <summary>The mask's run lengths (column-major, as COCO); the reference decodes them itself.</summary>
    private static JsonArray Flat(Rle mask) => CocoReference.Array(mask.Counts);

    private static ImageTruth Image(long id, params TruthObject[] objects) => new(id, Size, Size, objects);

    /// <summary>An object covering exactly the integer box (x, y, w, h), with its mask's area.</summary>
    private static TruthObject Object(long id, int label, int x, int y, int w, int h, bool crowd = false)
    {
        var m = new byte[Size * Size];
        for (var r = y; r < Math.Min(Size, y + h); r++)
            for (var c = x; c < Math.Min(Size, x + w); c++) m[r * Size + c] = 1;
        var rle = Rle.Encode(m, Size, Size);
        return new TruthObject(id, label, (x, y, w, h), rle.Area, crowd, rle);
    }
}
