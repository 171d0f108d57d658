using US3L.Detection;
using US3L.Models;
using US3L.Slimmable;
using US3L.Torch.nn;

namespace US3L.Tests.Detection;

/// <summary>The detector's pieces on hand-checked cases, and the backbone BN switch of science.md 10.6.</summary>
public class MaskRcnnComponentTests
{
    [Fact]
    public void CellAnchorsAreTorchvisionsRoundedHalfSides()
    {
        using var scope = torch.NewDisposeScope();
        // Size 32, ratios h/w 0.5, 1, 2: half-sides (32/√0.5/2, 32·√0.5/2) = (22.63, 11.31) rounded to (23, 11).
        var anchors = AnchorGenerator.CellAnchors(new[] { 32.0 }, new[] { 0.5, 1.0, 2.0 });
        TensorAssert.Close(new double[] { -23, -11, 23, 11, -16, -16, 16, 16, -11, -23, 11, 23 }, anchors, new long[] { 3, 4 }, 0);
    }

    [Fact]
    public void AnchorsTileEachLevelLocationMajorAtTheBatchStride()
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new AnchorGenerator(new[] { new[] { 8.0 }, new[] { 16.0 } }, new[] { 1.0 });
        // A 16x24 batch with a 4x6 level (stride 4) and a 2x3 level (stride 8).
        var anchors = generator.Anchors((16, 24), new[] { (4L, 6L), (2L, 3L) }, ScalarType.Float32, Device.CPU);
        Assert.Equal(new long[] { 24 + 6, 4 }, anchors.shape);
        TensorAssert.Close(new double[] { -4, -4, 4, 4 }, anchors[0], tol: 0);
        TensorAssert.Close(new double[] { 0, -4, 8, 4 }, anchors[1], tol: 0);         // next column: x + 4
        TensorAssert.Close(new double[] { -4, 0, 4, 8 }, anchors[6], tol: 0);         // next row: y + 4
        TensorAssert.Close(new double[] { 0, 0, 16, 16 }, anchors[24 + 4], tol: 0);   // level 2, row 1, column 1: centre (8, 8)
    }

    [Fact]
    public void MatcherThresholdsAndKeepsEachObjectsBestAnchor()
    {
        using var scope = torch.NewDisposeScope();
        // Two objects, five predictions: IoUs [G = 2, N = 5].
        var iou = torch.tensor(new[,] { { 0.8f, 0.5f, 0.1f, 0.2f, 0.0f }, { 0.1f, 0.6f, 0.2f, 0.25f, 0.0f } });
        var strict = new Matcher(0.7, 0.3, allowLowQualityMatches: false).Match(iou);
        TensorAssert.Equal(new long[] { 0, Matcher.BetweenThresholds, Matcher.BelowLowThreshold, Matcher.BelowLowThreshold, Matcher.BelowLowThreshold }, strict);
        // Low-quality matches: object 1's best prediction (1, IoU 0.6) becomes its match.
        var rpn = new Matcher(0.7, 0.3, allowLowQualityMatches: true).Match(iou);
        TensorAssert.Equal(new long[] { 0, 1, Matcher.BelowLowThreshold, Matcher.BelowLowThreshold, Matcher.BelowLowThreshold }, rpn);
        Assert.Contains("ground-truth", Assert.Throws<ArgumentException>(() => new Matcher(0.7, 0.3, true).Match(torch.zeros(0, 5))).Message);
    }

    [Fact]
    public void SamplerCapsPositivesFillsWithNegativesAndNeverDrawsIgnored()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(1);
        var labels = torch.cat(new[] { torch.ones(30), torch.zeros(100), torch.full(new long[] { 50 }, -1.0) });
        var (pos, neg) = new BalancedSampler(32, 0.25).Sample(new[] { labels }, g);
        Assert.Equal(8, pos[0].sum().item<long>());
        Assert.Equal(24, neg[0].sum().item<long>());
        Assert.Equal(0, (pos[0] & labels.ne(1)).sum().item<long>());
        Assert.Equal(0, (neg[0] & labels.ne(0)).sum().item<long>());
        // Few positives: all of them, and the batch is filled with negatives.
        var (pos2, neg2) = new BalancedSampler(32, 0.5).Sample(new[] { torch.cat(new[] { torch.ones(3), torch.zeros(100) }) }, g);
        Assert.Equal(3, pos2[0].sum().item<long>());
        Assert.Equal(29, neg2[0].sum().item<long>());
    }

    [Fact]
    public void PastedMaskFillsItsBoxAndIsClippedToTheImage()
    {
        using var scope = torch.NewDisposeScope();
        var masks = torch.ones(new long[] { 2, 1, 28, 28 });
        var boxes = torch.tensor(new[,] { { 10f, 20f, 30f, 40f }, { -10f, 50f, 10f, 80f } });
        var pasted = MaskPaste.PasteMasksInImage(masks, boxes, (64, 48));
        Assert.Equal(new long[] { 2, 1, 64, 48 }, pasted.shape);
        var inside = pasted[0][0].narrow(0, 21, 18).narrow(1, 11, 18);
        Assert.True(inside.gt(0.5).all().item<bool>(), "the box interior is inside the mask");
        Assert.Equal(0, pasted[0][0].narrow(0, 0, 15).sum().item<float>());
        Assert.True(pasted[0][0].gt(0.5).sum().item<long>() is > 18 * 18 and < 22 * 22);
        // The second box runs off the left and bottom edges: what remains lies inside the image.
        Assert.True(pasted[1][0].narrow(1, 0, 9).narrow(0, 52, 12).gt(0.5).all().item<bool>());
        Assert.Equal(0, MaskPaste.PasteMasksInImage(masks.narrow(0, 0, 1), torch.tensor(new[,] { { 100f, 100f, 120f, 120f } }), (64, 48)).sum().item<float>());
    }

    [Theory]
    [InlineData(BackboneNorm.Batch)]
    [InlineData(BackboneNorm.Frozen)]
    public void BackboneNormSwitchFreezesStatisticsAndAffineOrTrainsThem(BackboneNorm norm)
    {
        using var scope = torch.NewDisposeScope();
        var backbone = ModelRegistry.Create("us_resnet10_mini", new ModelOptions { InChannels = 1, Seed = 3 });
        using var model = new MaskRcnn(backbone, 0.5, MaskRcnnParityTests.SmallOptions() with { BackboneNorm = norm }, seed: 4);
        using var g = new Generator(5);
        var (images, targets) = MaskRcnnParityTests.Inputs(g);
        var bn = backbone.modules().OfType<BatchNormBase>().First();
        var (mean, gamma) = (bn.running_mean!.clone(), bn.weight!.clone());
        model.train();
        Assert.Equal(norm == BackboneNorm.Batch, bn.training);
        using var optimizer = new US3L.Torch.optim.SGD(model.parameters().Where(p => p.requires_grad), 0.1);
        using (var losses = model.Losses(images, targets))
        {
            losses.Total.backward();
            optimizer.step();
        }
        var statisticsMoved = !mean.eq(bn.running_mean!).all().item<bool>();
        var affineMoved = !gamma.eq(bn.weight!).all().item<bool>();
        Assert.Equal(norm == BackboneNorm.Batch, statisticsMoved);
        Assert.Equal(norm == BackboneNorm.Batch, affineMoved);
        Assert.Equal(norm == BackboneNorm.Batch, bn.weight!.requires_grad);
        foreach (var t in targets) t.Dispose();
    }

    [Fact]
    public void TheDetectorRunsAtTheWidthItWasBuiltFor()
    {
        using var scope = torch.NewDisposeScope();
        var backbone = ModelRegistry.Create("us_resnet10_mini", new ModelOptions { InChannels = 1 });
        using var model = new MaskRcnn(backbone, 0.5, MaskRcnnParityTests.SmallOptions());
        Assert.Equal(0.5, model.Width);
        // The FPN reads the channels of width 0.5 (C2 has 32 channels at full width, 16 at 0.5).
        Assert.Equal(new long[] { 32, 16, 1, 1 }, model.state_dict()["backbone.fpn.inner_blocks.0.0.weight"].shape);
        backbone.SetWidth(1.0);
        model.eval();
        Assert.Contains("built for width 0.5", Assert.Throws<InvalidOperationException>(() => model.Detect(new[] { torch.rand(1, 64, 64) })).Message);
    }
}
