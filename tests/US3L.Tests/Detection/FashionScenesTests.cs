using US3L.Data;
using US3L.Detection;

namespace US3L.Tests.Detection;

/// <summary>
/// The embedded scene set: deterministic for a seed, exact boxes and masks from the item pixels, and
/// the documented overlap rules (later items on top, visible mask = own pixels minus later items',
/// box of the visible mask, items hidden below the threshold dropped).
/// </summary>
public class FashionScenesTests
{
    private static readonly Lazy<InMemoryImageDataset> Items = new(() => FashionMnist.Load(train: false, subset: Subset.First(2000)));

    /// <summary>A small scene set over 2,000 Fashion-MNIST test images, for tests.</summary>
    internal static FashionScenes Scenes(int count, long seed = 1, FashionScenesOptions? options = null) =>
        new(Items.Value, count, seed, options);

    [Fact]
    public void SameSeedGivesTheSameScenesAndAnotherSeedOthers()
    {
        var a = Scenes(12, seed: 3);
        var b = Scenes(30, seed: 3);
        var c = Scenes(12, seed: 4);
        for (var i = 0; i < 12; i++)
        {
            using var x = a.Get(i);
            using var y = b.Get(i);
            using var z = c.Get(i);
            Assert.Equal(x.Image.ToArray<byte>(), y.Image.ToArray<byte>());
            Assert.Equal(x.Target.Masks.ToArray<byte>(), y.Target.Masks.ToArray<byte>());
            Assert.Equal(x.Target.Boxes.ToArray<float>(), y.Target.Boxes.ToArray<float>());
            Assert.Equal(x.Target.Labels.ToArray<long>(), y.Target.Labels.ToArray<long>());
            Assert.NotEqual(x.Image.ToArray<byte>(), z.Image.ToArray<byte>());
        }
    }

    [Fact]
    public void BoxesAreasAndMasksAreExactAndMasksDoNotOverlap()
    {
        var scenes = Scenes(40);
        const int side = 128;
        var objects = 0;
        for (var i = 0; i < scenes.Count; i++)
        {
            using var s = scenes.Get(i);
            var t = s.Target;
            Assert.Equal(new long[] { 1, side, side }, s.Image.shape);
            Assert.InRange(t.Count, 1, 6);
            objects += t.Count;
            var masks = t.Masks.ToArray<byte>();
            var boxes = t.Boxes.ToArray<float>();
            var area = t.Area.ToArray<float>();
            var labels = t.Labels.ToArray<long>();
            var pixels = s.Image.ToArray<byte>();
            var covered = new int[side * side];
            for (var k = 0; k < t.Count; k++)
            {
                Assert.InRange(labels[k], 1, 10);
                int x0 = side, y0 = side, x1 = -1, y1 = -1, n = 0;
                for (var p = 0; p < side * side; p++)
                {
                    if (masks[k * side * side + p] == 0) continue;
                    n++;
                    covered[p]++;
                    // Every masked pixel shows the item: painted, hence at least the item threshold.
                    Assert.True(pixels[p] >= scenes.Options.ItemThreshold, $"scene {i}, object {k}: masked pixel {p} has value {pixels[p]}");
                    (x0, y0, x1, y1) = (Math.Min(x0, p % side), Math.Min(y0, p / side), Math.Max(x1, p % side), Math.Max(y1, p / side));
                }
                Assert.Equal(n, area[k]);
                Assert.Equal(new float[] { x0, y0, x1 + 1, y1 + 1 }, boxes.AsSpan(4 * k, 4).ToArray());
            }
            Assert.True(covered.All(c => c <= 1), $"scene {i}: two visible masks share a pixel");
        }
        Assert.True(objects > 80, $"only {objects} objects in 40 scenes");
    }

    [Fact]
    public void VisibleMaskIsTheItemMinusLaterItemsAndHiddenItemsAreDropped()
    {
        // Large items crowd the canvas so that some are hidden.
        var options = new FashionScenesOptions { CanvasSize = 64, MinItems = 5, MaxItems = 6, MinItemScale = 0.5, MaxItemScale = 0.9 };
        var scenes = Scenes(60, seed: 7, options);
        var dropped = 0;
        for (var i = 0; i < scenes.Count; i++)
        {
            var scene = scenes.Compose(i);
            var own = scene.Items.Select(item => OwnPixels(item, options)).ToList();
            for (var k = 0; k < scene.Items.Count; k++)
            {
                var item = scene.Items[k];
                for (var p = 0; p < 64 * 64; p++)
                {
                    var visible = own[k][p] && !own.Skip(k + 1).Any(later => later[p]);
                    Assert.Equal(visible, scene.Owner[p] == k);
                }
                var expectKept = item.Visible >= options.MinVisiblePixels && item.Visible >= options.MinVisibleFraction * item.Pixels;
                Assert.Equal(expectKept, item.Kept);
                if (!item.Kept) dropped++;
            }
            Assert.True(scene.Items[^1].Kept, $"scene {i}: the top item must always be kept");
            var truth = scenes.GroundTruth(i);
            Assert.Equal(scene.Items.Count(it => it.Kept), truth.Objects.Count);
        }
        Assert.True(dropped > 0, "no item was hidden enough to be dropped; the test does not reach the rule");
    }

    [Fact]
    public void GroundTruthAgreesWithTheTarget()
    {
        var scenes = Scenes(8, options: new FashionScenesOptions { Channels = 3, CanvasSize = 96 });
        for (var i = 0; i < scenes.Count; i++)
        {
            using var s = scenes.Get(i);
            var truth = scenes.GroundTruth(i);
            Assert.Equal(new long[] { 3, 96, 96 }, s.Image.shape);
            Assert.Equal(s.Image.select(0, 0).ToArray<byte>(), s.Image.select(0, 2).ToArray<byte>());
            Assert.Equal(s.Target.Count, truth.Objects.Count);
            var boxes = s.Target.Boxes.ToArray<float>();
            for (var k = 0; k < truth.Objects.Count; k++)
            {
                var o = truth.Objects[k];
                Assert.Equal((double)boxes[4 * k], o.Box.X);
                Assert.Equal((double)boxes[4 * k + 2] - boxes[4 * k], o.Box.W);
                Assert.Equal(o.Area, o.Mask.Area);
                Assert.Equal(s.Target.Masks.select(0, k).ToArray<byte>(), o.Mask.Decode());
                Assert.Equal(o.Box, o.Mask.BoundingBox());
                Assert.False(o.IsCrowd);
            }
            Assert.Equal(truth.Objects.Count, truth.Objects.Select(o => o.Id).Distinct().Count());
        }
    }

    [Fact]
    public void TrainAndValidationSplitsPasteDifferentImages()
    {
        var train = FashionScenes.Load(train: true, count: 3, seed: 1);
        var val = FashionScenes.Load(train: false, count: 3, seed: 1);
        Assert.Equal("fashion-scenes/train", train.Name);
        Assert.Equal("fashion-scenes/val", val.Name);
        Assert.Equal(FashionMnist.ClassNames, train.ClassNames);
        using var a = train.Get(0);
        using var b = val.Get(0);
        Assert.NotEqual(a.Image.ToArray<byte>(), b.Image.ToArray<byte>());
    }

    [Fact]
    public void BadOptionsAreRejectedWithTheirName()
    {
        var e = Assert.Throws<ArgumentException>(() => Scenes(2, options: new FashionScenesOptions { MinItems = 3, MaxItems = 2 }));
        Assert.Contains("MinItems <= MaxItems", e.Message);
    }

    /// <summary>Which canvas pixels the item itself covers, re-rendered from its source image.</summary>
    private static bool[] OwnPixels(FashionScenes.PlacedItem item, FashionScenesOptions o)
    {
        var side = o.CanvasSize;
        var src = Items.Value.Pixels.Slice(item.SourceIndex * 784, 784);
        var pixels = ImageResize.ToChw(src, 28, 28, 1, item.Side, item.Side, ResizeMode.Stretch);
        var own = new bool[side * side];
        for (var y = 0; y < item.Side; y++)
            for (var x = 0; x < item.Side; x++)
                own[(item.Y + y) * side + item.X + x] = pixels[y * item.Side + x] >= o.ItemThreshold;
        return own;
    }
}
