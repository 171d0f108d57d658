using US3L.Models;
using US3L.Slimmable;

namespace US3L.Tests.Models;

public class CostTests
{
    private static readonly double[] Widths = { 0.25, 0.5, 0.75, 1.0 };

    // science.md 1.4: MACs of the backbone only.
    [Fact]
    public void CifarResNet18MatchesTheTable()
    {
        using var model = ModelRegistry.Create("us_cifar_resnet18");
        Assert.Equal(new[] { 35.0, 139, 313, 555 }, Widths.Select(w => Math.Round(model.Cost(w, 32).Macs / 1e6)));
    }

    [Fact]
    public void ImageNetResNetsMatchTheTable()
    {
        using var r18 = ModelRegistry.Create("us_resnet18");
        Assert.Equal(new[] { 0.135, 0.483, 1.04, 1.81 }, Widths.Select(w => Sig3(r18.Cost(w, 224).Macs / 1e9)));
        using var r50 = ModelRegistry.Create("us_resnet50");
        Assert.Equal(new[] { 0.278, 1.05, 2.32, 4.09 }, Widths.Select(w => Sig3(r50.Cost(w, 224).Macs / 1e9)));
        Assert.Equal(new[] { 1.5, 5.9, 13.2, 23.5 }, Widths.Select(w => Math.Round(r50.Cost(w, 224).Params / 1e6, 1)));
        Assert.Equal(new[] { 512, 1024, 1536, 2048 }, Widths.Select(w => r50.Cost(w).FeatureDim));
    }

    private static double Sig3(double v) => Math.Round(v, 2 - (int)Math.Floor(Math.Log10(v)));

    [Theory]
    [InlineData("us_cifar_resnet18", 32)]
    [InlineData("us_cifar_resnet50", 32)]
    [InlineData("us_resnet18", 64)]
    [InlineData("us_cifar_mobilenetv2", 32)]
    [InlineData("us_resnet10_mini", 28)]
    public void AnalyticCountEqualsAHookedForwardPass(string arch, int side)
    {
        var channels = arch == "us_resnet10_mini" ? 1 : 3;
        using var model = ModelRegistry.Create(arch, new ModelOptions { InChannels = channels });
        long hooked = 0;
        foreach (var conv in model.modules().OfType<USConv2d>())
            conv.Forwarded += (layer, input, output) =>
                hooked += output.size(1) * output.size(2) * output.size(3) * (input.size(1) / layer.GroupsAt(layer.Width)) *
                          layer.kernel_size.H * layer.kernel_size.W;
        foreach (var width in new[] { 0.25, 0.4, 0.65, 1.0 })
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            model.SetWidth(width);
            hooked = 0;
            model.forward(torch.randn(1, channels, side, side));
            Assert.Equal(model.Cost(width, side).Macs, hooked);
        }
        // At full width the parameter count is every backbone parameter.
        Assert.Equal(model.parameters().Sum(p => p.numel()), model.Cost(1.0, side).Params);
    }
}
