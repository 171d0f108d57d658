using US3L.Models;
using US3L.Slimmable;
using US3L.Tests.Slimmable;
using US3L.Torch.Serialization;
using US3L.Torch.nn;

namespace US3L.Tests.Models;

/// <summary>
/// S-Net / DSPNet backbones (science.md 6.9): the registry's networks with a fixed width list and a
/// private BN per width, named as the reference's SwitchableBatchNorm2d (bn.0 the widest).
/// </summary>
public class SwitchableNetworkTests
{
    private static readonly double[] Listed = { 0.25, 0.5, 0.75, 1.0 };

    private static SlimmableNetwork SNet(string arch = "us_resnet10_mini", long seed = 3) =>
        ModelRegistry.Create(arch, ModelRegistry.MiniOptions(fast: true) with { Seed = seed, WidthsList = Listed, SwitchableBn = true });

    [Fact]
    public void EveryBatchNormHasAPrivateCopyPerListedWidthWidestFirst()
    {
        using var scope = torch.NewDisposeScope();
        using var net = SNet();
        Assert.Empty(net.modules().OfType<USBatchNorm2d>());
        var keys = net.state_dict().Keys.ToList();
        // The reference's list is [1.0, 0.75, 0.5, 0.25] (slimmable_ops.py l. 5): bn.0 is the full width, whatever order was given.
        Assert.Equal(new long[] { 128, 96, 64, 32 }, Enumerable.Range(0, 4).Select(i => net.state_dict()[$"layer4.0.bn2.bn.{i}.weight"].size(0)));
        Assert.Contains("bn1.bn.3.running_var", keys);
        Assert.DoesNotContain("bn1.weight", keys);
        Assert.Equal(new[] { 1.0, 0.75, 0.5, 0.25 }, net.WidthsList);
        Assert.Equal(new WidthRange(0.25, 1.0), net.TrainedRange);
        foreach (var w in Listed)
        {
            net.SetWidth(w).eval();
            using var f = net.forward(torch.randn(2, 1, 28, 28));
            Assert.Equal(new long[] { 2, net.FeatureDim(w) }, f.shape);
        }
    }

    [Fact]
    public void AWidthOutsideTheListIsRefusedByNameWithTheListedWidths()
    {
        using var net = SNet();
        var e = Assert.ThrowsAny<ArgumentException>(() => net.SetWidth(0.6));
        Assert.Equal("us_resnet10_mini is a slimmable network with the fixed widths [1, 0.75, 0.5, 0.25] (a private BN each); width 0.6 is not one of them. " +
                     "Only a universally slimmable network (no fixed width list) runs at widths in between.", e.Message);
        Assert.False(net.Supports(0.6));
        Assert.True(net.Supports(0.75));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.Cost(0.6));
        // The same network without the list runs there.
        using var us = ModelRegistry.Create("us_resnet10_mini", ModelRegistry.MiniOptions(fast: true));
        us.SetWidth(0.6);
    }

    [Fact]
    public void BadOptionsAreOneClearError()
    {
        var noList = Assert.Throws<ArgumentException>(() => ModelRegistry.Create("us_resnet10_mini", ModelRegistry.MiniOptions(fast: true) with { SwitchableBn = true }));
        Assert.Contains("give the list (ModelOptions.WidthsList)", noList.Message);
        var twice = Assert.Throws<ArgumentException>(() => ModelRegistry.Create("us_resnet10_mini", ModelRegistry.MiniOptions(fast: true) with { WidthsList = new[] { 0.5, 1.0, 0.5 } }));
        Assert.Equal("us_resnet10_mini: width 0.5 is listed twice in [0.5, 1, 0.5].", twice.Message);
        var vit = Assert.Throws<ArgumentException>(() => ModelRegistry.Create("us_vit_mini", new ModelOptions { InChannels = 1, WidthsList = Listed, SwitchableBn = true }));
        Assert.Contains("has no BatchNorm", vit.Message);
        using var vitList = ModelRegistry.Create("us_vit_mini", new ModelOptions { InChannels = 1, WidthsList = Listed });
        Assert.False(vitList.Supports(0.6));
    }

    [Fact]
    public void CheckpointsRoundTripEveryPrivateBatchNorm()
    {
        using var scope = torch.NewDisposeScope();
        using var net = SNet(seed: 3);
        // Give every private BN its own statistics and affine parameters.
        using (torch.no_grad())
        {
            var i = 0;
            foreach (var bn in net.modules().OfType<BatchNorm2d>())
            {
                bn.running_mean!.fill_(0.1 * ++i);
                bn.running_var!.fill_(1 + 0.01 * i);
                bn.weight!.fill_(1 - 0.001 * i);
            }
        }
        var path = Path.Combine(Path.GetTempPath(), $"snet-{Guid.NewGuid():N}.safetensors");
        try
        {
            Safetensors.Save(path, net.state_dict());
            using var loaded = SNet(seed: 11);
            var (tensors, _) = Safetensors.Load(path);
            loaded.load_state_dict(tensors);
            foreach (var t in tensors.Values) t.Dispose();
            foreach (var (key, value) in net.state_dict())
                Assert.True(SlimAssert.MaxAbs(value.to(ScalarType.Float64) - loaded.state_dict()[key].to(ScalarType.Float64)) == 0, key);
            using var x = torch.randn(4, 1, 28, 28);
            foreach (var w in Listed)
            {
                net.SetWidth(w).eval();
                loaded.SetWidth(w).eval();
                SlimAssert.Close(net.forward(x), loaded.forward(x), 0);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CalibratingOneWidthLeavesTheOtherWidthsStatisticsAlone()
    {
        using var scope = torch.NewDisposeScope();
        using var net = SNet();
        var before = net.state_dict().ToDictionary(e => e.Key, e => e.Value.clone());
        using var batch = torch.randn(new long[] { 32, 1, 28, 28 }) * 2 + 1;
        BnCalibration.Calibrate(net, 0.5, new[] { batch }, momentum: null);
        var changed = net.state_dict().Where(e => e.Key.EndsWith("running_mean", StringComparison.Ordinal) && SlimAssert.MaxAbs(e.Value - before[e.Key]) > 0)
            .Select(e => e.Key).ToList();
        // bn.2 is the private BN of width 0.5 (order 1.0, 0.75, 0.5, 0.25); only those moved, in every layer.
        Assert.NotEmpty(changed);
        Assert.All(changed, k => Assert.Contains(".bn.2.", k));
        Assert.Equal(net.modules().OfType<SwitchableBatchNorm2d>().Count(), changed.Count);
    }

    [Fact]
    public void ASubNetworkCostsWhatTheUniversalOneCostsAtThatWidth()
    {
        using var snet = SNet();
        using var us = ModelRegistry.Create("us_resnet10_mini", ModelRegistry.MiniOptions(fast: true));
        foreach (var w in Listed) Assert.Equal(us.Cost(w), snet.Cost(w));
    }

    [Fact]
    public void ZeroInitResidualZeroesEveryPrivateGammaOfTheLastBn()
    {
        using var net = ModelRegistry.Create("us_resnet18", new ModelOptions { WidthsList = Listed, SwitchableBn = true, ZeroInitResidual = true, Seed = 1 });
        var last = net.state_dict().Where(e => e.Key.Contains(".bn2.bn.", StringComparison.Ordinal) && e.Key.EndsWith(".weight", StringComparison.Ordinal)).ToList();
        Assert.Equal(8 * 4, last.Count);
        Assert.All(last, e => Assert.Equal(0, SlimAssert.MaxAbs(e.Value)));
        Assert.True(SlimAssert.MaxAbs(net.state_dict()["layer1.0.bn1.bn.0.weight"]) > 0);
    }

    [Fact]
    public void MobileNetV2SwitchesItsRatioBatchNormsToo()
    {
        using var scope = torch.NewDisposeScope();
        using var net = ModelRegistry.Create("us_cifar_mobilenetv2", new ModelOptions { WidthsList = new[] { 0.5, 1.0 }, SwitchableBn = true, Seed = 2 });
        var expanded = (SwitchableBatchNorm2d)net.get_submodule("features.2.conv.0.1");
        // The expanded width is t · round8(C_in · w) (science.md 1.3): 6 · 8 at 0.5 for C_in = 16.
        Assert.Equal((96, 48), (expanded.Channels(1.0), expanded.Channels(0.5)));
        net.SetWidth(0.5).eval();
        using var f = net.forward(torch.randn(2, 3, 32, 32));
        Assert.Equal(new long[] { 2, 1280 }, f.shape);
    }

    [Fact]
    public void ExportAtAWidthGivesThePlainNetworkWithThatWidthsPrivateBatchNorm()
    {
        using var scope = torch.NewDisposeScope();
        using var net = SNet();
        using (torch.no_grad()) net.state_dict()["bn1.bn.1.running_mean"].fill_(0.5);
        var sliced = WidthExporter.Slice(net, 0.75);
        try
        {
            Assert.DoesNotContain(sliced.Keys, k => k.Contains(".bn.", StringComparison.Ordinal) || k.StartsWith("bn.", StringComparison.Ordinal));
            Assert.Equal(new long[] { 12 }, sliced["bn1.running_mean"].shape);
            Assert.Equal(0.5, sliced["bn1.running_mean"].mean().item<float>(), 6);
            Assert.Equal(new long[] { 12, 1, 3, 3 }, sliced["conv1.weight"].shape);
        }
        finally
        {
            foreach (var t in sliced.Values) t.Dispose();
        }
    }
}
