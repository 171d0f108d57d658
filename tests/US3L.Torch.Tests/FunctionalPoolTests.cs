using F = US3L.Torch.torch.nn.functional;

namespace US3L.Torch.Tests;

public class FunctionalPoolTests
{
    private static Tensor Randn(int seed, params long[] shape) => torch.randn(shape, torch.float64, generator: new Generator(seed));

    [Fact]
    public void PoolingGradients()
    {
        GradCheck.Check(x => F.max_pool2d(x[0], 3, stride: 2, padding: 1), new[] { Randn(1, 1, 2, 5, 5) });
        GradCheck.Check(x => F.max_pool2d(x[0], (2, 3), dilation: (1, 2), ceil_mode: true), new[] { Randn(2, 1, 1, 5, 6) });
        GradCheck.Check(x => F.avg_pool2d(x[0], 3, stride: 2, padding: 1, count_include_pad: false), new[] { Randn(3, 1, 2, 5, 4) });
        GradCheck.Check(x => F.adaptive_avg_pool2d(x[0], (2, 3)) + F.adaptive_max_pool2d(x[0], (2, 3)), new[] { Randn(4, 1, 2, 5, 4) });
    }

    [Fact]
    public void PoolingShapesAndValues()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(16, torch.float64).view(1, 1, 4, 4);
        Assert.Equal(new[] { 5.0, 7, 13, 15 }, F.max_pool2d(x, 2).ToArray<double>());
        Assert.Equal(new[] { 2.5, 4.5, 10.5, 12.5 }, F.avg_pool2d(x, 2).ToArray<double>());
        Assert.Equal(new[] { 7.5 }, F.adaptive_avg_pool2d(x, 1).ToArray<double>());
        Assert.Equal(new[] { 10.0, 18, 42, 50 }, F.avg_pool2d(x, 2, divisor_override: 1).ToArray<double>());
        Assert.Contains("half of kernel_size", Assert.Throws<ArgumentException>(() => F.max_pool2d(x, 2, padding: 2)).Message);
        Assert.Contains("4-D", Assert.Throws<ArgumentException>(() => F.max_pool2d(x.view(16), 2)).Message);
    }

    [Fact]
    public void InterpolateGradients()
    {
        GradCheck.Check(x => F.interpolate(x[0], size: (5, 4), mode: "bilinear"), new[] { Randn(1, 1, 2, 3, 3) });
        GradCheck.Check(x => F.interpolate(x[0], scale_factor: 1.5, mode: "bilinear", align_corners: true), new[] { Randn(2, 1, 1, 3, 4) });
        GradCheck.Check(x => F.interpolate(x[0], size: (4, 5), mode: "bicubic"), new[] { Randn(3, 1, 1, 3, 3) });
        GradCheck.Check(x => F.interpolate(x[0], scale_factor: (2.0, 1.5), mode: "nearest"), new[] { Randn(4, 1, 2, 2, 3) });
    }

    [Fact]
    public void InterpolateShapesAndValidation()
    {
        using var scope = torch.NewDisposeScope();
        var x = Randn(1, 2, 3, 5, 4);
        Assert.Equal(new long[] { 2, 3, 12, 10 }, F.interpolate(x, scale_factor: 2.5, mode: "bilinear").shape);
        // A pair in second position is the output size, as in PyTorch.
        Assert.Equal(new long[] { 2, 3, 8, 3 }, F.interpolate(x, (8, 3)).shape);
        Assert.Equal(new long[] { 2, 3, 7, 5 }, F.interpolate(x, scale_factor: (1.5, 1.25), mode: "nearest-exact").shape);
        // Upsampling with align_corners keeps the corner values exactly.
        var up = F.interpolate(x, size: (9, 7), mode: "bicubic", align_corners: true);
        Assert.Equal(x.narrow(2, 0, 1).narrow(3, 0, 1).ToArray<double>(), up.narrow(2, 0, 1).narrow(3, 0, 1).ToArray<double>());
        Assert.Contains("exactly one", Assert.Throws<ArgumentException>(() => F.interpolate(x, size: 3, scale_factor: 2)).Message);
        Assert.Contains("exactly one", Assert.Throws<ArgumentException>(() => F.interpolate(x)).Message);
        Assert.Contains("align_corners", Assert.Throws<ArgumentException>(() => F.interpolate(x, size: 3, align_corners: true)).Message);
        Assert.Contains("mode", Assert.Throws<ArgumentException>(() => F.interpolate(x, size: 3, mode: "trilinear")).Message);
    }

    [Fact]
    public void GridSampleGradients()
    {
        using var scope = torch.NewDisposeScope();
        var grid = torch.rand(new long[] { 1, 2, 3, 2 }, torch.float64, generator: new Generator(9)) * 2.2 - 1.1;
        GradCheck.Check(x => F.grid_sample(x[0], x[1]), new[] { Randn(1, 1, 2, 3, 4), grid });
        GradCheck.Check(x => F.grid_sample(x[0], x[1], padding_mode: "border", align_corners: true), new[] { Randn(2, 1, 1, 3, 3), grid });
        GradCheck.Check(x => F.grid_sample(x[0], x[1], padding_mode: "reflection"), new[] { Randn(3, 1, 1, 4, 3), grid });
        GradCheck.Check(x => F.grid_sample(x[0], x[1], mode: "bicubic"), new[] { Randn(4, 1, 1, 4, 4), grid });
        GradCheck.Check(x => F.grid_sample(x[0], x[1], mode: "nearest"), new[] { Randn(5, 1, 1, 3, 3), grid }, differentiable: new[] { true, false });
    }

    [Fact]
    public void AffineGridIdentityReproducesTheImage()
    {
        using var scope = torch.NewDisposeScope();
        var x = Randn(1, 2, 3, 4, 5);
        var theta = torch.tensor(new[] { 1.0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0 }, 2, 2, 3);
        var grid = F.affine_grid(theta, new long[] { 2, 3, 4, 5 });
        Assert.Equal(new long[] { 2, 4, 5, 2 }, grid.shape);
        Assert.True((F.grid_sample(x, grid) - x).abs().max().item<double>() < 1e-12);
        GradCheck.Check(t => F.affine_grid(t[0], new long[] { 1, 1, 2, 3 }, align_corners: true), new[] { Randn(2, 1, 2, 3) });
        Assert.Contains("(N, C, H, W)", Assert.Throws<ArgumentException>(() => F.affine_grid(theta, new long[] { 2, 3, 4 })).Message);
        Assert.Contains("[3, 2, 3]", Assert.Throws<ArgumentException>(() => F.affine_grid(theta, new long[] { 3, 1, 4, 4 })).Message);
    }

    [Fact]
    public void PadModesGradientsAndValues()
    {
        foreach (var mode in new[] { "constant", "reflect", "replicate", "circular" })
            GradCheck.Check(x => F.pad(x[0], new long[] { 1, 2, 2, 1 }, mode), new[] { Randn(1, 1, 2, 3, 3) });

        using var scope = torch.NewDisposeScope();
        var row = torch.tensor(new[] { 1.0, 2, 3 }, 1, 1, 3);
        Assert.Equal(new[] { 9.0, 1, 2, 3, 9, 9 }, F.pad(row, new long[] { 1, 2 }, value: 9).ToArray<double>());
        Assert.Equal(new[] { 2.0, 1, 2, 3, 2, 1 }, F.pad(row, new long[] { 1, 2 }, "reflect").ToArray<double>());
        Assert.Equal(new[] { 1.0, 1, 2, 3, 3, 3 }, F.pad(row, new long[] { 1, 2 }, "replicate").ToArray<double>());
        Assert.Equal(new[] { 3.0, 1, 2, 3, 1, 2 }, F.pad(row, new long[] { 1, 2 }, "circular").ToArray<double>());
        Assert.Contains("pairs", Assert.Throws<ArgumentException>(() => F.pad(row, new long[] { 1 })).Message);
        Assert.Contains("constant", Assert.Throws<ArgumentException>(() => F.pad(row, new long[] { 1, 1 }, "reflect", 2)).Message);
    }
}
