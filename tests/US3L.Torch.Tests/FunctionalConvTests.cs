using F = US3L.Torch.torch.nn.functional;

namespace US3L.Torch.Tests;

public class FunctionalConvTests
{
    private static Tensor Randn(int seed, params long[] shape) => torch.randn(shape, torch.float64, generator: new Generator(seed));

    [Fact]
    public void LinearGradients()
    {
        GradCheck.Check(x => F.linear(x[0], x[1], x[2]), new[] { Randn(1, 3, 4), Randn(2, 2, 4), Randn(3, 2) });
        GradCheck.Check(x => F.linear(x[0], x[1]), new[] { Randn(1, 2, 3), Randn(2, 4, 3) });
    }

    [Fact]
    public void Conv2dGradientsWithGroupsStridePaddingDilation()
    {
        GradCheck.Check(x => F.conv2d(x[0], x[1], x[2], stride: (2, 1), padding: (1, 0), dilation: (1, 2), groups: 2),
            new[] { Randn(1, 1, 4, 5, 5), Randn(2, 4, 2, 2, 2), Randn(3, 4) });
    }

    [Fact]
    public void Conv2dSamePaddingKeepsSizeAndHasGradients()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(new long[] { 1, 3, 5, 6 }, F.conv2d(Randn(1, 1, 2, 5, 6), Randn(2, 3, 2, 3, 2), "same").shape);
        GradCheck.Check(x => F.conv2d(x[0], x[1], "same", dilation: 2), new[] { Randn(1, 1, 2, 4, 4), Randn(2, 2, 2, 2, 3) });
    }

    [Fact]
    public void ConvTranspose2dGradients()
    {
        GradCheck.Check(x => F.conv_transpose2d(x[0], x[1], x[2], stride: 2, padding: 1, output_padding: 1, groups: 2),
            new[] { Randn(1, 1, 4, 3, 3), Randn(2, 4, 1, 3, 3), Randn(3, 2) });
    }

    [Fact]
    public void ConvTranspose2dInvertsTheShapeOfAStridedConv()
    {
        using var scope = torch.NewDisposeScope();
        var y = F.conv2d(Randn(1, 1, 3, 8, 8), Randn(2, 5, 3, 3, 3), stride: 2, padding: 1);
        var back = F.conv_transpose2d(y, Randn(3, 5, 3, 3, 3), stride: 2, padding: 1, output_padding: 1);
        Assert.Equal(new long[] { 1, 3, 8, 8 }, back.shape);
    }

    /// <summary>
    /// The slimmable case: a narrower network runs on the leading slice of the full weight, so the
    /// gradient lands in that slice only and the rest of the weight is exactly zero.
    /// </summary>
    [Fact]
    public void Conv2dThroughNarrowedWeightOnlyTouchesTheUsedSlice()
    {
        using var scope = torch.NewDisposeScope();
        const int cout = 3, cin = 2;
        var w = Randn(1, 6, 4, 3, 3).requires_grad_(true);
        var x = Randn(2, 2, cin, 5, 5);
        var y = F.conv2d(x, w.narrow(0, 0, cout).narrow(1, 0, cin), padding: 1);
        Assert.Equal(new long[] { 2, cout, 5, 5 }, y.shape);
        (y * Randn(3, y.shape)).sum().backward();

        var grad = w.grad!;
        Assert.Equal(w.shape, grad.shape);
        Assert.True(grad.narrow(0, 0, cout).narrow(1, 0, cin).abs().sum().item<double>() > 0);
        Assert.Equal(0.0, grad.narrow(0, cout, 6 - cout).abs().sum().item<double>());
        Assert.Equal(0.0, grad.narrow(0, 0, cout).narrow(1, cin, 4 - cin).abs().sum().item<double>());

        // The slice's gradient equals that of a standalone copy of the slice.
        var slice = w.detach().narrow(0, 0, cout).narrow(1, 0, cin).clone().requires_grad_(true);
        (F.conv2d(x, slice, padding: 1) * Randn(3, y.shape)).sum().backward();
        Assert.True((slice.grad! - grad.narrow(0, 0, cout).narrow(1, 0, cin)).abs().max().item<double>() < 1e-12);
    }

    [Fact]
    public void Conv2dRejectsAWeightThatIsNot4D()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => F.conv2d(Randn(1, 1, 3, 5, 5), Randn(2, 4, 3, 3)));
        Assert.Contains("weight must be 4-D", e.Message);
        Assert.Contains("[4, 3, 3]", e.Message);
    }

    [Fact]
    public void Conv2dNamesTheChannelMismatch()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => F.conv2d(Randn(1, 1, 3, 5, 5), Randn(2, 4, 2, 3, 3)));
        Assert.Contains("input has 3 channels", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.conv2d(Randn(1, 1, 4, 5, 5), Randn(2, 4, 2, 3, 3), stride: 0, groups: 2));
        Assert.Contains("stride", e.Message);
        Assert.Throws<ArgumentException>(() => F.conv2d(Randn(1, 1, 4, 5, 5), Randn(2, 4, 2, 3, 3), "full"));
    }

    [Fact]
    public void NativeErrorsNameTheOpAndShapes()
    {
        using var scope = torch.NewDisposeScope();
        // A kernel larger than the padded input passes the cheap checks and fails in libtorch.
        var e = Assert.Throws<TorchException>(() => F.conv2d(Randn(1, 1, 2, 2, 2), Randn(2, 3, 2, 5, 5)));
        Assert.Contains("conv2d", e.Message);
        Assert.Contains("[1, 2, 2, 2]", e.Message);
    }

    [Fact]
    public void LinearNamesTheFeatureMismatch()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => F.linear(Randn(1, 2, 5), Randn(2, 3, 4)));
        Assert.Contains("in_features = 4", e.Message);
    }
}
