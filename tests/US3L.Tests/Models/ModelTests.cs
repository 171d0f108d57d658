using US3L.Models;
using US3L.Slimmable;

namespace US3L.Tests.Models;

public class ModelTests
{
    public static TheoryData<string, int, int> Architectures => new()
    {
        { "us_cifar_resnet18", 3, 32 }, { "us_cifar_resnet34", 3, 32 }, { "us_cifar_resnet50", 3, 32 },
        { "us_resnet18", 3, 64 }, { "us_resnet50", 3, 64 }, { "us_mobilenetv2", 3, 64 }, { "us_cifar_mobilenetv2", 3, 32 },
        { "us_resnet10_mini", 1, 28 },
        { "us_vit_tiny", 3, 64 }, { "us_vit_small", 3, 32 }, { "us_vit_mini", 1, 28 }, { "us_vit_mini", 3, 32 },
    };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void RunsForwardAndBackwardAtRandomWidths(string arch, int channels, int side)
    {
        // ImageSize sizes the ViTs' position embedding for the small test inputs; the CNNs ignore it.
        using var model = ModelRegistry.Create(arch, new ModelOptions { InChannels = channels, NumClasses = 10, Seed = 1, ImageSize = side });
        var random = new Random(7);
        for (var i = 0; i < 20; i++)
        {
            using var scope = torch.NewDisposeScope();
            var width = 0.25 + 0.75 * random.NextDouble();
            model.SetWidth(width);
            var features = model.forward(torch.randn(2, channels, side, side));
            Assert.Equal(new long[] { 2, model.FeatureDim(width) }, features.shape);
            var logits = model.Head!.forward(features);
            Assert.Equal(new long[] { 2, 10 }, logits.shape);
            logits.square().sum().backward();
            var stem = model.named_parameters().First().parameter;
            Assert.True(SlimmableTestMath.Used(stem.grad!) > 0);
            model.zero_grad();
        }
    }

    [Fact]
    public void ResNetStateDictUsesTorchvisionNames()
    {
        using var model = ModelRegistry.Create("us_resnet18", new ModelOptions { NumClasses = 1000 });
        var keys = model.state_dict().Keys.ToList();
        foreach (var key in new[] { "conv1.weight", "bn1.weight", "layer1.0.conv1.weight", "layer1.0.bn1.bias", "layer2.0.downsample.0.weight",
                     "layer2.0.downsample.1.weight", "layer4.1.bn2.weight", "fc.weight", "fc.bias" })
            Assert.Contains(key, keys);
        // torchvision's resnet18 has 102 state_dict entries; ours has no running statistics (batch statistics only).
        Assert.Equal(62, keys.Count);
        Assert.Equal(new long[] { 1000, 512 }, model.state_dict()["fc.weight"].shape);
        using var v2 = ModelRegistry.Create("us_mobilenetv2", new ModelOptions { NumClasses = 1000 });
        var v2keys = v2.state_dict().Keys.ToList();
        foreach (var key in new[] { "features.0.0.weight", "features.1.conv.0.0.weight", "features.2.conv.0.0.weight", "features.2.conv.3.weight",
                     "features.18.0.weight", "features.18.1.running_mean", "classifier.1.weight" })
            Assert.Contains(key, v2keys);
    }

    [Fact]
    public void MobileNetKeepsItsLastLayerAtFullWidth()
    {
        using var scope = torch.NewDisposeScope();
        using var model = ModelRegistry.Create("us_cifar_mobilenetv2");
        model.SetWidth(0.35);
        Assert.Equal(1280, model.FeatureDim(0.35));
        Assert.Equal(new long[] { 2, 1280 }, model.forward(torch.randn(2, 3, 32, 32)).shape);
    }

    [Fact]
    public void ZeroInitResidualZeroesTheLastBnOfEachBlock()
    {
        using var model = ModelRegistry.Create("us_resnet50", new ModelOptions { ZeroInitResidual = true });
        var sd = model.state_dict();
        Assert.Equal(0, SlimmableTestMath.Used(sd["layer1.0.bn3.weight"]));
        Assert.Equal(1, SlimmableTestMath.Used(sd["layer1.0.bn2.weight"]));
    }

    [Fact]
    public void UnknownArchitectureListsTheValidNames()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelRegistry.Create("resnet18"));
        Assert.Equal("Unknown architecture 'resnet18'. Valid names: us_cifar_resnet18, us_cifar_resnet34, us_cifar_resnet50, us_resnet18, " +
                     "us_resnet50, us_mobilenetv2, us_cifar_mobilenetv2, us_resnet10_mini, us_vit_tiny, us_vit_small, us_vit_mini.", e.Message);
    }

    [Fact]
    public void LogitsWithoutAHeadIsAnError()
    {
        using var scope = torch.NewDisposeScope();
        using var model = ModelRegistry.Create("us_resnet10_mini", ModelRegistry.MiniOptions(fast: true));
        Assert.Contains("NumClasses", Assert.Throws<InvalidOperationException>(() => model.Logits(torch.randn(2, 1, 28, 28))).Message);
        Assert.Equal(new[] { 16, 32, 64, 128 }.Select(c => c * 1L), model.modules().OfType<USBatchNorm2d>().Select(b => b.num_features).Distinct());
    }
}

internal static class SlimmableTestMath
{
    public static double Used(Tensor t) => t.abs().max().item<float>();
}
