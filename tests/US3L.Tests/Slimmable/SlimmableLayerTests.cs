using US3L.Models;
using US3L.Slimmable;
using US3L.Torch.nn;

namespace US3L.Tests.Slimmable;

public class SlimmableLayerTests
{
    private static void CopyInto(Tensor target, Tensor source)
    {
        using var _ = torch.no_grad();
        target.copy_(source);
    }

    [Theory]
    [InlineData(1.0, 32, 64)]
    [InlineData(0.5, 16, 32)]
    [InlineData(0.3, 16, 24)]
    public void ConvEqualsThePlainConvOfItsFirstChannels(double width, int cin, int cout)
    {
        using var scope = torch.NewDisposeScope();
        using var us = new USConv2d(32, 64, 3, stride: 2, padding: 1, bias: true) { Width = width };
        using var plain = new Conv2d(cin, cout, 3, stride: 2, padding: 1);
        CopyInto(plain.weight, us.weight.narrow(0, 0, cout).narrow(1, 0, cin));
        CopyInto(plain.bias!, us.bias!.narrow(0, 0, cout));
        var x = torch.randn(2, cin, 9, 9);
        SlimAssert.Close(plain.forward(x), us.forward(x), 1e-5);
    }

    [Fact]
    public void ConvGradientLandsOnlyInTheUsedSlice()
    {
        using var scope = torch.NewDisposeScope();
        using var us = new USConv2d(32, 64, 3, padding: 1, bias: true) { Width = 0.5 };
        us.forward(torch.randn(2, 16, 6, 6)).square().sum().backward();
        var grad = us.weight.grad!;
        Assert.Equal(us.weight.shape, grad.shape);
        Assert.True(SlimAssert.MaxAbs(grad.narrow(0, 0, 32).narrow(1, 0, 16)) > 0);
        Assert.Equal(0, SlimAssert.MaxAbs(grad.narrow(0, 32, 32)));
        Assert.Equal(0, SlimAssert.MaxAbs(grad.narrow(1, 16, 16)));
        Assert.Equal(0, SlimAssert.MaxAbs(us.bias!.grad!.narrow(0, 32, 32)));
    }

    [Fact]
    public void DepthwiseConvUsesGroupsEqualToItsSlicedInput()
    {
        using var scope = torch.NewDisposeScope();
        // MobileNetV2's depthwise conv with ratio t = 6: C(0.5) = 6 * round8(16 * 0.5) = 48.
        using var us = new USConv2d(96, 96, 3, padding: 1, depthwise: true, ratioIn: 6, ratioOut: 6) { Width = 0.5 };
        using var plain = new Conv2d(48, 48, 3, padding: 1, groups: 48, bias: false);
        CopyInto(plain.weight, us.weight.narrow(0, 0, 48));
        var x = torch.randn(2, 48, 5, 5);
        SlimAssert.Close(plain.forward(x), us.forward(x), 1e-5);
    }

    [Theory]
    [InlineData(1.0, false, 64, 10)]
    [InlineData(0.5, false, 32, 10)]
    [InlineData(0.25, true, 16, 8)]
    public void LinearEqualsThePlainLinearOfItsFirstFeatures(double width, bool slimOut, int fin, int fout)
    {
        using var scope = torch.NewDisposeScope();
        using var us = new USLinear(64, slimOut ? 32 : 10, slimIn: true, slimOut: slimOut) { Width = width };
        using var plain = new Linear(fin, fout);
        CopyInto(plain.weight, us.WeightAt(width));
        CopyInto(plain.bias!, us.BiasAt(width)!);
        var x = torch.randn(3, fin);
        SlimAssert.Close(plain.forward(x), us.forward(x), 1e-5);
        us.forward(x).sum().backward();
        Assert.Equal(0, SlimAssert.MaxAbs(us.weight.grad!.narrow(1, fin, 64 - fin)));
    }

    // science.md 1.3 (ViT): the layer takes the full-width tokens and reads their first in(w) features itself.
    [Fact]
    public void SliceInputLinearReadsTheFirstFeaturesOfAFullWidthInput()
    {
        using var scope = torch.NewDisposeScope();
        using var us = new USLinear(64, 48, sliceInput: true) { Width = 0.25 };
        var x = torch.randn(new long[] { 2, 5, 64 }, requires_grad: true);
        var y = us.forward(x);
        using var plain = new Linear(16, 48);
        CopyInto(plain.weight, us.weight.narrow(1, 0, 16));
        CopyInto(plain.bias!, us.bias!);
        SlimAssert.Close(plain.forward(x.narrow(-1, 0, 16)), y, 1e-6);
        y.square().sum().backward();
        Assert.Equal(0, SlimAssert.MaxAbs(x.grad!.narrow(-1, 16, 48)));
        Assert.True(SlimAssert.MaxAbs(x.grad!.narrow(-1, 0, 16)) > 0);
        Assert.Equal(0, SlimAssert.MaxAbs(us.weight.grad!.narrow(1, 16, 48)));
        Assert.Contains("expects input [*, 64]", Assert.Throws<ArgumentException>(() => us.forward(torch.randn(2, 16))).Message);
    }

    [Theory]
    [InlineData(1.0, 64)]
    [InlineData(0.5, 32)]
    public void BatchNormUsesBatchStatisticsInTrainAndEvalByDefault(double width, int c)
    {
        using var scope = torch.NewDisposeScope();
        using var us = new USBatchNorm2d(64) { Width = width };
        CopyInto(us.weight!, torch.rand(64) + 0.5);
        CopyInto(us.bias!, torch.randn(64));
        using var plain = new BatchNorm2d(c);
        CopyInto(plain.weight!, us.weight!.narrow(0, 0, c));
        CopyInto(plain.bias!, us.bias!.narrow(0, 0, c));
        var x = torch.randn(4, c, 5, 5) * 3 + 1;
        var expected = plain.forward(x);
        SlimAssert.Close(expected, us.forward(x), 1e-5);
        us.eval();
        SlimAssert.Close(expected, us.forward(x), 1e-5);
        Assert.False(us.track_running_stats);
    }

    [Fact]
    public void RunningStatisticsUpdateOnlyTheWidthSlice()
    {
        using var scope = torch.NewDisposeScope();
        using var us = new USBatchNorm2d(64, trackRunningStats: true) { Width = 0.5 };
        using var plain = new BatchNorm2d(32);
        var x = torch.randn(4, 32, 5, 5) * 2 + 3;
        us.forward(x);
        plain.forward(x);
        SlimAssert.Close(plain.running_mean!, us.running_mean!.narrow(0, 0, 32), 1e-6);
        SlimAssert.Close(plain.running_var!, us.running_var!.narrow(0, 0, 32), 1e-6);
        Assert.Equal(0, SlimAssert.MaxAbs(us.running_mean!.narrow(0, 32, 32)));
        Assert.Equal(0, SlimAssert.MaxAbs(us.running_var!.narrow(0, 32, 32) - 1));
        us.eval();
        plain.eval();
        SlimAssert.Close(plain.forward(x), us.forward(x), 1e-5);
    }

    [Fact]
    public void WrongInputChannelsNameTheWidth()
    {
        using var scope = torch.NewDisposeScope();
        using var us = new USConv2d(32, 64, 3) { Width = 0.5 };
        var e = Assert.Throws<ArgumentException>(() => us.forward(torch.randn(1, 32, 5, 5)));
        Assert.Contains("width 0.5 expects input [N, 16, H, W]", e.Message);
        Assert.Contains("multiple of 8", Assert.Throws<ArgumentException>(() => new USConv2d(12, 64, 3)).Message);
    }

    [Fact]
    public void SwitchableBatchNormKeepsAPrivateBatchNormPerListedWidth()
    {
        using var scope = torch.NewDisposeScope();
        using var bn = new SwitchableBatchNorm2d(64, new[] { 0.25, 0.5, 1.0 });
        Assert.Equal(new[] { 16L, 32L, 64L }, new[] { 0.25, 0.5, 1.0 }.Select(w => bn.At(w).num_features));
        Assert.Contains("bn.1.running_mean", bn.state_dict().Keys);
        bn.Width = 0.5;
        bn.forward(torch.randn(4, 32, 3, 3) + 5);
        Assert.True(SlimAssert.MaxAbs(bn.At(0.5).running_mean!) > 0.1);
        Assert.Equal(0, SlimAssert.MaxAbs(bn.At(1.0).running_mean!));
        var e = Assert.ThrowsAny<ArgumentException>(() => bn.Width = 0.75);
        Assert.Contains("holds widths [0.25, 0.5, 1] only, got width 0.75", e.Message);
        using var conv = new SlimmableConv2d(32, 64, 3, new[] { 0.5, 1.0 });
        Assert.ThrowsAny<ArgumentException>(() => conv.Width = 0.75);
        conv.Width = 0.5;
        Assert.Equal(new long[] { 32, 16, 3, 3 }, conv.WeightAt(0.5).shape);
    }

    [Fact]
    public void SetWidthReachesEveryLayerAndRefusesWidthsOutsideTheTrainedRange()
    {
        using var model = ModelRegistry.Create("us_resnet10_mini", ModelRegistry.MiniOptions(fast: true));
        model.SetWidth(0.5);
        Assert.All(model.modules().OfType<ISlimmable>(), s => Assert.Equal(0.5, s.Width));
        Assert.Equal(0.5, model.Width);
        Assert.Equal(0.5, model.GetWidth());
        var e = Assert.ThrowsAny<ArgumentException>(() => model.SetWidth(0.2));
        Assert.Equal("width 0.2 is outside the trained range [0.25, 1.0].", e.Message);
        Assert.Equal(0.5, model.GetWidth());
        using var narrow = ModelRegistry.Create("us_resnet10_mini", ModelRegistry.MiniOptions(fast: true) with { TrainedRange = new(0.5, 1.0) });
        Assert.Contains("[0.5, 1.0]", Assert.ThrowsAny<ArgumentException>(() => narrow.SetWidth(0.25)).Message);
    }
}
