using System.Text.Json.Nodes;
using US3L.Data;
using US3L.Detection;
using Xunit.Abstractions;

namespace US3L.Tests.Detection;

/// <summary>
/// COCO run-length masks: round trips, area, box, IoU with the crowd rule, the compressed string
/// format against a transcription of pycocotools' decoder, and polygon fills against a
/// transcription of pycocotools' rleFrPoly.
/// </summary>
public class RleTests(ITestOutputHelper log)
{
    [Fact]
    public void EncodesColumnByColumnStartingWithZeros()
    {
        // 3x2 row-major: column 0 is (1, 0, 1), column 1 is (1, 1, 0).
        var rle = Rle.Encode(new byte[] { 1, 1, 0, 1, 1, 0 }, 3, 2);
        Assert.Equal(new uint[] { 0, 1, 1, 3, 1 }, rle.Counts);
        Assert.Equal(4, rle.Area);
        Assert.Equal(new byte[] { 1, 1, 0, 1, 1, 0 }, rle.Decode());
        Assert.Equal((0.0, 0.0, 2.0, 3.0), rle.BoundingBox());
    }

    [Fact]
    public void RoundTripsRandomMasksThroughBitmapsAndStrings()
    {
        var rng = new SeededRandom(11);
        for (var trial = 0; trial < 50; trial++)
        {
            int h = rng.NextInt(1, 40), w = rng.NextInt(1, 40);
            var mask = RandomMask(rng, h, w);
            var rle = Rle.Encode(mask, h, w);
            Assert.Equal(mask, rle.Decode());
            Assert.Equal(mask.Count(b => b != 0), rle.Area);
            var again = Rle.FromCompressedString(rle.ToCompressedString(), h, w);
            Assert.Equal(rle.Counts, again.Counts);
            Assert.Equal(ExactBox(mask, h, w), rle.BoundingBox());
        }
    }

    [Fact]
    public void CompressedStringsDecodeAsPycocotoolsDecodesThem()
    {
        var rng = new SeededRandom(12);
        var masks = Enumerable.Range(0, 20).Select(_ => (H: rng.NextInt(20, 200), W: rng.NextInt(20, 200))).Select(s => Rle.Encode(RandomMask(rng, s.H, s.W, blocky: true), s.H, s.W)).ToList();
        var output = CocoReference.Run("strings", new JsonObject { ["strings"] = CocoReference.Array(masks.Select(m => m.ToCompressedString())) });
        for (var i = 0; i < masks.Count; i++)
            Assert.Equal(masks[i].Counts, CocoReference.Counts(output["counts"]![i]!));
    }

    [Fact]
    public void MalformedStringsAreRejectedWithThePosition()
    {
        Assert.Contains("position 2", Assert.Throws<FormatException>(() => Rle.FromCompressedString("12~", 4, 4)).Message);
        Assert.Contains("add up to", Assert.Throws<ArgumentException>(() => Rle.FromCompressedString("11", 4, 4)).Message);
    }

    [Fact]
    public void IouFollowsPycocotoolsIncludingCrowds()
    {
        // Two 4x4 masks: a covers columns 0-1 (8 pixels), b columns 1-3 (12 pixels); they share column 1 (4 pixels).
        var a = Rle.Encode(Columns(4, 4, 0, 1), 4, 4);
        var b = Rle.Encode(Columns(4, 4, 1, 3), 4, 4);
        Assert.Equal(4.0 / 16, Rle.Iou(a, b, gtIsCrowd: false));
        Assert.Equal(4.0 / 8, Rle.Iou(a, b, gtIsCrowd: true)); // intersection over the detection's own area
        Assert.Equal(0, Rle.Iou(a, Rle.Encode(Columns(4, 4, 2, 3), 4, 4), false));
        Assert.Equal(1, Rle.Iou(b, b, false));
    }

    [Fact]
    public void UnionMergesPolygonsOfOneObject()
    {
        var u = Rle.Union(new[] { Rle.Encode(Columns(3, 5, 0, 1), 3, 5), Rle.Encode(Columns(3, 5, 1, 2), 3, 5) });
        Assert.Equal(Columns(3, 5, 0, 2), u.Decode());
    }

    [Fact]
    public void SquarePolygonFillsExactlyItsPixels()
    {
        var mask = new byte[12 * 12];
        PolygonRaster.Fill(new double[] { 2, 3, 7, 3, 7, 10, 2, 10 }, 12, 12, mask);
        for (var y = 0; y < 12; y++)
            for (var x = 0; x < 12; x++)
                Assert.Equal(x is >= 2 and < 7 && y is >= 3 and < 10 ? 1 : 0, mask[y * 12 + x]);
    }

    /// <summary>
    /// Random polygons (convex and self-intersecting, partly outside the image) filled by the kit and by
    /// the transcription of rleFrPoly: pixels may differ only where the boundary passes within 0.3 pixel
    /// of the pixel's centre (pycocotools rounds vertices to a 1/5-pixel grid).
    /// </summary>
    [Fact]
    public void PolygonFillsMatchPycocotoolsAwayFromTheBoundary()
    {
        var rng = new SeededRandom(13);
        var polygons = new List<(double[] Xy, int H, int W)>();
        for (var i = 0; i < 60; i++)
        {
            int h = rng.NextInt(16, 48), w = rng.NextInt(16, 48);
            var n = rng.NextInt(3, 12);
            var xy = new double[2 * n];
            for (var k = 0; k < n; k++)
            {
                xy[2 * k] = Math.Round(rng.NextDouble(-4, w + 4), 2);
                xy[2 * k + 1] = Math.Round(rng.NextDouble(-4, h + 4), 2);
            }
            polygons.Add((xy, h, w));
        }
        var input = new JsonObject
        {
            ["polygons"] = new JsonArray(polygons.Select(p => (JsonNode)new JsonObject
            {
                ["xy"] = CocoReference.Array(p.Xy), ["height"] = p.H, ["width"] = p.W,
            }).ToArray()),
        };
        var output = CocoReference.Run("polygons", input);
        long differing = 0, total = 0, inside = 0;
        for (var i = 0; i < polygons.Count; i++)
        {
            var (xy, h, w) = polygons[i];
            var reference = new Rle(h, w, CocoReference.Counts(output["counts"]![i]!)).Decode();
            var ours = Rle.FromPolygons(new[] { xy }, h, w).Decode();
            for (var p = 0; p < h * w; p++)
            {
                total++;
                inside += ours[p];
                if (ours[p] == reference[p]) continue;
                differing++;
                var distance = DistanceToBoundary(xy, p % w + 0.5, p / w + 0.5);
                Assert.True(distance <= 0.3, $"polygon {i}: pixel ({p % w}, {p / w}) differs from pycocotools {distance:F3} px from the boundary");
            }
        }
        Assert.True(inside > total / 10, "the polygons fill too little to test anything");
        Assert.True(differing < total / 100, $"{differing} of {total} pixels differ");
        log.WriteLine($"{polygons.Count} polygons: {differing} of {total} pixels ({inside} inside) differ from pycocotools, all within 0.3 px of an edge");
    }

    internal static byte[] RandomMask(SeededRandom rng, int h, int w, bool blocky = false)
    {
        var mask = new byte[h * w];
        if (!blocky)
        {
            for (var i = 0; i < mask.Length; i++) mask[i] = (byte)(rng.NextDouble() < 0.4 ? 1 : 0);
            return mask;
        }
        // A few rectangles: long runs, so the string form needs multi-character counts.
        for (var r = 0; r < 3; r++)
        {
            int x0 = rng.NextInt(w), y0 = rng.NextInt(h), x1 = rng.NextInt(x0, w + 1), y1 = rng.NextInt(y0, h + 1);
            for (var y = y0; y < y1; y++)
                for (var x = x0; x < x1; x++) mask[y * w + x] = 1;
        }
        return mask;
    }

    private static byte[] Columns(int h, int w, int from, int to)
    {
        var m = new byte[h * w];
        for (var y = 0; y < h; y++)
            for (var x = from; x <= to; x++) m[y * w + x] = 1;
        return m;
    }

    private static (double, double, double, double) ExactBox(byte[] mask, int h, int w)
    {
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                if (mask[y * w + x] != 0) (x0, y0, x1, y1) = (Math.Min(x0, x), Math.Min(y0, y), Math.Max(x1, x), Math.Max(y1, y));
        return x1 < 0 ? (0, 0, 0, 0) : (x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    }

    private static double DistanceToBoundary(double[] xy, double px, double py)
    {
        var best = double.MaxValue;
        var n = xy.Length / 2;
        for (var i = 0; i < n; i++)
        {
            var j = (i + 1) % n;
            double ax = xy[2 * i], ay = xy[2 * i + 1], bx = xy[2 * j], by = xy[2 * j + 1];
            double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
            var t = len2 == 0 ? 0 : Math.Clamp(((px - ax) * dx + (py - ay) * dy) / len2, 0, 1);
            best = Math.Min(best, Math.Sqrt(Math.Pow(px - ax - t * dx, 2) + Math.Pow(py - ay - t * dy, 2)));
        }
        return best;
    }
}
