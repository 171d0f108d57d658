using US3L.Models;
using US3L.Slimmable;

namespace US3L.Tests.Slimmable;

public class BnCalibrationTests
{
    /// <summary>A mini model and a large batch whose statistics are far from mean 0 / var 1.</summary>
    private static (SlimmableNetwork Model, Tensor Batch) Setup()
    {
        var model = ModelRegistry.Create("us_resnet10_mini", ModelRegistry.MiniOptions(fast: true) with { Seed = 3 });
        using var g = new Generator(5);
        var batch = (torch.randn(new long[] { 256, 1, 28, 28 }, generator: g) * 2 + 1).DetachFromDisposeScope();
        return (model, batch);
    }

    /// <summary>Batch-statistics output at <paramref name="width"/> (what calibration must reproduce in eval mode).</summary>
    private static Tensor BatchStatOutput(SlimmableNetwork model, Tensor batch, double width)
    {
        using var _ = torch.no_grad();
        model.SetWidth(width).train();
        return model.forward(batch);
    }

    [Fact]
    public void StaleStatisticsAreWrongAndRecalibrationRestoresThem()
    {
        using var scope = torch.NewDisposeScope();
        var (model, batch) = Setup();
        using var __ = model;
        using var noGrad = torch.no_grad();
        var reference = BatchStatOutput(model, batch, 0.5);

        // Statistics of width 1.0 used at width 0.5: the sub-network sums fewer channels, so they are stale.
        BnCalibration.Calibrate(model, 1.0, new[] { batch }, momentum: null);
        model.SetWidth(0.5);
        var stale = SlimAssert.RelativeError(model.forward(batch), reference);

        BnCalibration.Calibrate(model, 0.5, new[] { batch }, momentum: null);
        Assert.False(model.training);
        var calibrated = SlimAssert.RelativeError(model.forward(batch), reference);
        Assert.True(calibrated < 0.01, $"calibrated relative error {calibrated}");
        Assert.True(stale > 10 * calibrated && stale > 0.05, $"stale relative error {stale} vs calibrated {calibrated}");
        Assert.All(model.modules().OfType<USBatchNorm2d>(), bn => Assert.Equal(0.5, bn.StatisticsWidth));
    }

    [Fact]
    public void EmaOverManyBatchesAndOnlyTheWidthSliceIsTouched()
    {
        using var scope = torch.NewDisposeScope();
        var (model, full) = Setup();
        using var __ = model;
        var batch = full.narrow(0, 0, 64);
        var reference = BatchStatOutput(model, batch, 0.25);
        // EMA 0.1: after 100 batches the initial mean 0 / var 1 weighs 0.9^100 < 1e-4 (a 1 % bias in
        // the means of large-mean activations is amplified through the depth, so fewer batches are not enough).
        var batches = Enumerable.Range(0, 110).Select(_ => batch);
        Assert.Equal(100, BnCalibration.Calibrate(model, 0.25, batches, momentum: 0.1, maxBatches: 100));
        using var noGrad = torch.no_grad();
        var error = SlimAssert.RelativeError(model.forward(batch), reference);
        Assert.True(error < 0.02, $"relative error {error}");
        var bn = (USBatchNorm2d)model.get_submodule("layer4.0.bn2");
        var c = bn.Channels(0.25);
        Assert.Equal(0, SlimAssert.MaxAbs(bn.running_mean!.narrow(0, c, bn.num_features - c)));
        Assert.Equal(0, SlimAssert.MaxAbs(bn.running_var!.narrow(0, c, bn.num_features - c) - 1));
        Assert.Throws<ArgumentException>(() => BnCalibration.Calibrate(model, 0.5, Array.Empty<Tensor>()));
        Assert.ThrowsAny<ArgumentException>(() => BnCalibration.Calibrate(model, 0.1, new[] { batch }));
    }
}
