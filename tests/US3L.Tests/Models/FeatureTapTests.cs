using US3L.Models;
using US3L.Slimmable;

namespace US3L.Tests.Models;

/// <summary>
/// The feature layers and their tap (science.md 3.7): names as the reference's configs write them,
/// and records that are the hooked tensor after the block's in-place operations, as a PyTorch
/// forward hook on the reference's blocks sees it.
/// </summary>
public class FeatureTapTests
{
    private static SlimmableNetwork Mini() => ModelRegistry.Create("us_resnet10_mini", ModelRegistry.MiniOptions(fast: true) with { Seed = 3 });

    /// <summary>Same shape and exactly the same values.</summary>
    private static bool Same(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var equal = a.eq(b).all();
        return equal.item<bool>();
    }

    private static Tensor Images(int channels = 1, int side = 28)
    {
        using var g = new Generator(11);
        return torch.randn(new long[] { 4, channels, side, side }, generator: g);
    }

    [Fact]
    public void TheDefaultLayersAreTheReferenceConfigsOnes()
    {
        // configs/cifar/us_resnet18_byol_featdistill_cifar.yaml and us_resnet50_byol_featdistill_cifar.yaml.
        Assert.Equal(new[] { "layer2.1.bn2", "layer3.1.bn2", "layer4.1.bn2" }, FeatureLayers.Default("us_cifar_resnet18"));
        Assert.Equal(new[] { "layer2.3.bn2", "layer3.5.bn2", "layer4.2.bn2" }, FeatureLayers.Default("us_cifar_resnet50"));
        Assert.Equal(new[] { "layer2.3.bn2", "layer3.5.bn2", "layer4.2.bn2" }, FeatureLayers.Default("us_resnet50"));
        Assert.Equal(new[] { "layer2.0.bn2", "layer3.0.bn2", "layer4.0.bn2" }, FeatureLayers.Default("us_resnet10_mini"));
        Assert.Equal(new[] { "layer1.0.bn1", "layer1.0.bn2" }, FeatureLayers.Resolve("us_resnet10_mini", new[] { "layer1.0.bn1", "layer1.0.bn2" }));
    }

    [Fact]
    public void OnlyTheResNetsHaveFeatureLayers()
    {
        Assert.All(new[] { "us_cifar_resnet18", "us_cifar_resnet34", "us_cifar_resnet50", "us_resnet18", "us_resnet50", "us_resnet10_mini" },
            arch => Assert.True(FeatureLayers.Supports(arch), arch));
        Assert.All(new[] { "us_mobilenetv2", "us_cifar_mobilenetv2", "us_vit_mini", "no_such_arch" },
            arch => Assert.False(FeatureLayers.Supports(arch), arch));
        var names = FeatureLayers.Names("us_resnet10_mini");
        Assert.Equal("bn1", names[0]);
        Assert.Contains("layer3.0.downsample.1", names);
        Assert.DoesNotContain("layer3.0.conv1", names);
    }

    [Fact]
    public void ABasicBlocksLastBnRecordsTheBlockOutputAndABn1ItsReLU()
    {
        using var net = Mini();
        net.SetWidth(0.5);
        using var tap = new FeatureTap(net, new[] { "layer1.0.bn1", "layer4.0.bn2" });
        using var x = Images();
        tap.Start();
        var stages = ((IStageFeatures)net).ForwardStages(x);
        var passes = tap.Stop();
        try
        {
            var record = Assert.Single(passes);
            // The BN's own output is changed in place by the residual sum and ReLU that follow it
            // (reference us_cifar_resnet.py L43-48), so the record is the stage's output.
            Assert.Equal(stages[3].shape, record[1].shape);
            Assert.True(Same(stages[3], record[1]));
            Assert.Equal(new long[] { 4, 8, 28, 28 }, record[0].shape); // 16 channels at width 0.5
            Assert.True(record[0].min().item<float>() >= 0, "bn1 is followed by an in-place ReLU");
            Assert.True(record[0].le(0).any().item<bool>(), "the ReLU clips some values");
        }
        finally
        {
            foreach (var t in stages.Concat(passes.SelectMany(p => p))) t.Dispose();
        }
    }

    [Fact]
    public void ABottlenecksBn2RecordsItsReLU()
    {
        using var net = ModelRegistry.Create("us_cifar_resnet50", new ModelOptions { StageWidths = new[] { 8, 8, 8, 8 }, Seed = 2 });
        using var tap = new FeatureTap(net, new[] { "layer2.0.bn2" });
        using var x = Images(channels: 3, side: 16);
        tap.Start();
        using var pooled = net.forward(x);
        var record = Assert.Single(tap.Stop())[0];
        using (record)
        {
            // CIFAR_Bottleneck.forward L80-81: bn2, then the in-place ReLU.
            Assert.True(record.min().item<float>() >= 0);
            Assert.True(record.le(0).any().item<bool>());
        }
    }

    [Fact]
    public void ItRecordsOnlyWhileStartedOnePassAtATime()
    {
        using var net = Mini();
        using var tap = new FeatureTap(net, new[] { "layer2.0.bn2", "layer3.0.bn2" });
        using var x = Images();
        using (net.forward(x)) { }
        Assert.Empty(tap.Stop());
        tap.Start();
        using (net.forward(x)) { }
        using (net.forward(x)) { }
        var passes = tap.Stop();
        Assert.Equal(2, passes.Count);
        Assert.All(passes, p => Assert.Equal(2, p.Length));
        foreach (var t in passes.SelectMany(p => p)) t.Dispose();
        using (net.forward(x)) { }
        Assert.Empty(tap.Stop());
    }

    [Fact]
    public void AnUnknownLayerListsTheFeatureLayers()
    {
        using var net = Mini();
        var e = Assert.Throws<ArgumentException>(() => new FeatureTap(net, new[] { "layer4.0.conv2" }));
        Assert.StartsWith("'layer4.0.conv2' is not a US-BatchNorm of us_resnet10_mini; its feature layers are: bn1, layer1.0.bn1,", e.Message);
    }
}
