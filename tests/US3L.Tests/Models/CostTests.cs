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

    // science.md 1.4: ViT-Tiny at 224 is the usual ~1.26 GMACs (attention products counted) and 5.52 M backbone parameters.
    [Fact]
    public void ViTTinyCostsTheUsualViTTinyAtFullWidth()
    {
        using var tiny = ModelRegistry.Create("us_vit_tiny");
        var full = tiny.Cost(1.0, 224);
        Assert.InRange(full.Macs / 1.26e9, 0.98, 1.02);
        Assert.Equal(1_253_491_200, full.Macs);
        Assert.Equal(5_524_416, full.Params);
        // Only the linears' inputs slim: patch embedding and attention products keep their cost, so 0.25x costs over a third of 1.0x.
        Assert.Equal(new[] { 0.469, 0.731, 0.992, 1.25 }, Widths.Select(w => Sig3(tiny.Cost(w, 224).Macs / 1e9)));
        Assert.All(Widths, w => Assert.Equal(192, tiny.Cost(w, 224).FeatureDim));
    }

    [Theory]
    [InlineData("us_cifar_resnet18", 32)]
    [InlineData("us_cifar_resnet50", 32)]
    [InlineData("us_resnet18", 64)]
    [InlineData("us_cifar_mobilenetv2", 32)]
    [InlineData("us_resnet10_mini", 28)]
    [InlineData("us_vit_mini", 28)]
    [InlineData("us_vit_tiny", 64)]
    public void AnalyticCountEqualsAHookedForwardPass(string arch, int side)
    {
        var channels = arch.EndsWith("_mini", StringComparison.Ordinal) ? 1 : 3;
        using var model = ModelRegistry.Create(arch, new ModelOptions { InChannels = channels, ImageSize = side });
        long hooked = 0;
        foreach (var conv in model.modules().OfType<USConv2d>())
            conv.Forwarded += (layer, input, output) =>
                hooked += output.size(1) * output.size(2) * output.size(3) * (input.size(1) / layer.GroupsAt(layer.Width)) *
                          layer.kernel_size.H * layer.kernel_size.W;
        // ViT linears: rows x the input features they read x outputs; after each qkv, attention's two N x N x D products.
        foreach (var (name, linear) in model.named_modules().Where(m => m.module is USLinear).Select(m => (m.name, (USLinear)m.module)))
            linear.Forwarded += (layer, input, output) =>
            {
                hooked += input.numel() / input.size(-1) * input.size(-1) * output.size(-1);
                if (name.EndsWith(".qkv", StringComparison.Ordinal))
                    hooked += 2 * output.size(1) * output.size(1) * (output.size(2) / 3);
            };
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
