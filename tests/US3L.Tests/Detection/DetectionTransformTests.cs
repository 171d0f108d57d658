using US3L.Data;
using US3L.Detection;

namespace US3L.Tests.Detection;

/// <summary>
/// The detection transforms move boxes and masks with the image: resize against torchvision's
/// GeneralizedRCNNTransform (image, masks and boxes), flip by its definition, and the pipeline's
/// randomness through the loader.
/// </summary>
public class DetectionTransformTests(DetectionParityFixture fixture) : IClassFixture<DetectionParityFixture>
{
    [Fact]
    public void ResizeMatchesTorchvision()
    {
        var cases = fixture.Data.Cases.Where(c => c.Op == "resize").ToList();
        Assert.Equal(5, cases.Count);
        foreach (var c in cases)
        {
            using var scope = torch.NewDisposeScope();
            var call = new ParityCall(c.ReadInputs(), c.Kwargs);
            var image = call["image"];
            var masks = call["masks"].to(ScalarType.UInt8);
            var n = masks.size(0);
            var target = new DetectionTarget(7, call["boxes"], torch.ones(new[] { n }, ScalarType.Int64), masks,
                torch.zeros(new[] { n }, ScalarType.Int64), torch.ones(new[] { n }, ScalarType.Float32));
            var resize = call.IsArray("fixed_size")
                ? DetectionResize.Fixed((int)call.Longs("fixed_size")[0], (int)call.Longs("fixed_size")[1])
                : new DetectionResize((int)call.Long("min_size", 0), (int)call.Long("max_size", 0));
            using var result = resize.Apply(new DetectionSample(image, target), new SeededRandom(0));
            var after = c.ReadAfter();
            TensorAssert.Close(c.ReadOutput(), result.Image, 1e-6);
            Assert.Equal(after["masks"].ToArray<long>(), result.Target.Masks.to(ScalarType.Int64).ToArray<long>());
            TensorAssert.Close(after["boxes"], result.Target.Boxes, 0);
            Assert.Equal(ScalarType.Float32, result.Image.dtype);
        }
    }

    [Fact]
    public void FlipMirrorsImageMasksAndBoxes()
    {
        using var scope = torch.NewDisposeScope();
        // A 4x6 image with one object covering columns 1..2 of rows 1..2: box (1, 1, 3, 3).
        var mask = new byte[24];
        foreach (var p in new[] { 7, 8, 13, 14 }) mask[p] = 1;
        var image = torch.arange(24).to(ScalarType.UInt8).view(1, 4, 6);
        var target = new DetectionTarget(3, torch.tensor(new float[] { 1, 1, 3, 3 }, 1, 4), torch.tensor(new long[] { 2 }, 1),
            torch.tensor<byte>(mask, 1, 4, 6), torch.zeros(new long[] { 1 }, ScalarType.Int64), torch.tensor(new float[] { 4 }, 1));
        using var flipped = new DetectionHorizontalFlip(1.0).Apply(new DetectionSample(image, target), new SeededRandom(1));
        // Columns 1..2 become 3..4: box (6 - 3, 1, 6 - 1, 3).
        TensorAssert.Close(new double[] { 3, 1, 5, 3 }, flipped.Target.Boxes);
        var m = flipped.Target.Masks.ToArray<byte>();
        Assert.Equal(new[] { 9, 10, 15, 16 }, Enumerable.Range(0, 24).Where(i => m[i] == 1));
        Assert.Equal(new byte[] { 5, 4, 3, 2, 1, 0 }, flipped.Image.select(1, 0).view(6).ToArray<byte>());
        Assert.Equal(2L, flipped.Target.Labels.item<long>());
        // The mask still lies exactly inside its box after the flip.
        AssertBoxesEncloseMasks(flipped);
    }

    [Fact]
    public void FlipWithZeroProbabilityKeepsTheSample()
    {
        using var scene = FashionScenesTests.Scenes(4).Get(0);
        var same = new DetectionHorizontalFlip(0.0).Apply(scene, new SeededRandom(5));
        Assert.Same(scene, same);
    }

    [Fact]
    public void ResizedScenesKeepMasksInsideTheirBoxes()
    {
        var scenes = FashionScenesTests.Scenes(6);
        var transform = new DetectionCompose(new DetectionHorizontalFlip(0.5), new DetectionResize(new[] { 80, 96 }, 200));
        for (var i = 0; i < scenes.Count; i++)
        {
            using var sample = transform.Apply(scenes.Get(i), new SeededRandom(i));
            Assert.Contains(sample.Height, new[] { 80, 96 });
            AssertBoxesEncloseMasks(sample, slack: 1.0);
        }
    }

    [Fact]
    public void LoaderAugmentationDependsOnlyOnSeedEpochAndImage()
    {
        var scenes = FashionScenesTests.Scenes(10);
        var transform = new DetectionCompose(new DetectionHorizontalFlip(), new DetectionResize(new[] { 64, 96, 128 }, 256));
        var a = new DetectionLoader(scenes, batchSize: 3, seed: 4, transform: transform, prefetch: 2);
        var b = new DetectionLoader(scenes, batchSize: 4, seed: 4, transform: transform, prefetch: 0);
        var first = Signatures(a, 0);
        Assert.Equal(first, Signatures(b, 0));
        Assert.NotEqual(first, Signatures(a, 1));
        Assert.Equal(10, first.Count);
        // Resuming at batch 2 gives the batches an uninterrupted epoch gives from there.
        var resumed = a.Epoch(0, startBatch: 2).Select(batch => { using (batch) return batch.Samples.Select(s => s.ImageId).ToArray(); }).ToList();
        Assert.Equal(a.Order(0).Skip(6).Select(i => (long)i).ToArray(), resumed.SelectMany(x => x).ToArray());
    }

    /// <summary>Image id -> (height, sum of box coordinates) for every image of an epoch.</summary>
    private static SortedDictionary<long, (int, double)> Signatures(DetectionLoader loader, int epoch)
    {
        var result = new SortedDictionary<long, (int, double)>();
        foreach (var batch in loader.Epoch(epoch))
            using (batch)
                foreach (var s in batch.Samples)
                    result[s.ImageId] = (s.Height, s.Target.Boxes.to(ScalarType.Float64).sum().item<double>());
        return result;
    }

    /// <summary>Every mask pixel lies inside its object's box (boxes in pixel edges, widened by slack after resampling).</summary>
    internal static void AssertBoxesEncloseMasks(DetectionSample sample, double slack = 0)
    {
        var t = sample.Target;
        var (h, w) = t.MaskSize;
        var masks = t.Masks.ToArray<byte>();
        var boxes = t.Boxes.to(ScalarType.Float64).ToArray<double>();
        for (var k = 0; k < t.Count; k++)
            for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                    if (masks[(k * h + y) * w + x] != 0)
                        Assert.True(x + 0.5 >= boxes[4 * k] - slack && x + 0.5 <= boxes[4 * k + 2] + slack
                                    && y + 0.5 >= boxes[4 * k + 1] - slack && y + 0.5 <= boxes[4 * k + 3] + slack,
                            $"image {t.ImageId}, object {k}: mask pixel ({x}, {y}) lies outside its box");
    }
}
