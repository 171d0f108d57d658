using US3L.Models;
using US3L.Regularization;
using US3L.Slimmable;
using US3L.Torch.nn;

namespace US3L.Tests.Regularization;

/// <summary>The per-group filter-norm profile of science.md 8.2 E6.</summary>
public class GroupNormsTests
{
    /// <summary>Named convs; only the slimmable ones with slimmed outputs are measured.</summary>
    private sealed class Convs : Module
    {
        public Convs(params (string Name, Module Conv)[] convs)
        {
            foreach (var (name, conv) in convs) register_module(name, conv);
        }
    }

    private static USConv2d Conv(int outChannels, bool slimOut = true) =>
        new(2, outChannels, 1, slimIn: false, slimOut: slimOut, divisor: 1);

    /// <summary>Every element of filter j becomes <paramref name="value"/>(j), so ‖W_j‖² = value² · (C_in·k·k).</summary>
    private static void Fill(Conv2d conv, Func<int, double> value)
    {
        using var noGrad = torch.no_grad();
        for (var j = 0; j < conv.out_channels; j++)
            using (var filter = conv.weight.narrow(0, j, 1)) filter.fill_(value(j));
    }

    [Fact]
    public void Equal_groups_give_the_rms_filter_norm_of_each_group()
    {
        // 16 filters in 8 groups of 2; filter j has all 2 elements equal to j + 1.
        var conv = Conv(16);
        Fill(conv, j => j + 1);
        using var net = new Convs(("conv", conv));
        var profile = GroupNorms.Profile(net, 8);

        var layer = Assert.Single(profile.Layers);
        Assert.Equal("conv", layer.Name);
        Assert.Equal(16, layer.Channels);
        for (var g = 0; g < 8; g++)
        {
            double a = 2 * g + 1, b = 2 * g + 2;
            var expected = Math.Sqrt((2 * a * a + 2 * b * b) / 2);
            Assert.Equal(expected, layer.Rms[g], 1e-9);
            Assert.Equal(expected / Math.Sqrt(5), profile.Relative[g], 1e-9);
        }
        Assert.Equal(1.0, profile.Relative[0], 12);
        Assert.All(profile.StandardError, e => Assert.Equal(0.0, e));
        Assert.Equal(profile.Relative[7], profile.LastToFirst);
    }

    [Fact]
    public void The_last_group_takes_the_remainder_and_is_averaged_not_summed()
    {
        // 10 channels in 4 groups: sizes 2, 2, 2, 4 (GroupRegularization.GroupOf). Every filter has
        // the same norm, so a sum would make the last group √2 larger; the rms keeps it flat.
        var conv = Conv(10);
        Fill(conv, _ => 0.5);
        using var net = new Convs(("conv", conv));
        var profile = GroupNorms.Profile(net, 4);
        Assert.All(profile.Relative, r => Assert.Equal(1.0, r, 12));
        Assert.Equal(0.0, profile.DeviationFromFlat, 12);
    }

    [Fact]
    public void Layers_are_normalized_by_their_own_group_zero_then_averaged_with_a_standard_error()
    {
        // Layer a: groups (1, 0.5); layer b, 10x larger: groups (10, 10). Relative: (1, 0.5) and (1, 1).
        var a = Conv(4);
        Fill(a, j => j < 2 ? 1 : 0.5);
        var b = Conv(4);
        Fill(b, _ => 10);
        using var net = new Convs(("a", a), ("b", b));
        var profile = GroupNorms.Profile(net, 2);

        Assert.Equal(new[] { "a", "b" }, profile.Layers.Select(l => l.Name));
        Assert.Equal(0.75, profile.Relative[1], 12);
        // Sample std of (0.5, 1) is 0.5/√2; its standard error over 2 layers is that / √2 = 0.25.
        Assert.Equal(0.25, profile.StandardError[1], 12);
        Assert.Equal(0.0, profile.StandardError[0], 12);
        Assert.Equal(0.125, profile.DeviationFromFlat, 12);
    }

    [Fact]
    public void Plain_convs_unslimmed_outputs_and_convs_narrower_than_the_groups_are_left_out()
    {
        var measured = Conv(8);
        Fill(measured, _ => 1);
        using var net = new Convs(("measured", measured), ("fixed_out", Conv(8, slimOut: false)), ("narrow", Conv(4)),
            ("plain", new Conv2d(2, 8, 1)));
        var profile = GroupNorms.Profile(net, 8);
        Assert.Equal("measured", Assert.Single(profile.Layers).Name);
    }

    [Fact]
    public void The_mini_backbone_is_measured_at_every_slimmable_conv()
    {
        using var model = ModelRegistry.Create("us_resnet10_mini", ModelRegistry.MiniOptions() with { Seed = 3 });
        var expected = model.named_modules().Count(m => m.module is USConv2d { SlimOut: true } c && c.out_channels >= 8);
        var profile = GroupNorms.Profile(model, 8);
        Assert.True(expected > 0);
        Assert.Equal(expected, profile.Layers.Count);
        Assert.Equal(8, profile.Relative.Length);
        Assert.Equal(1.0, profile.Relative[0], 12);
        // Kaiming init draws every filter alike: no group is systematically smaller at initialization.
        Assert.All(profile.Relative, r => Assert.InRange(r, 0.8, 1.25));
    }

    [Fact]
    public void Growth_since_initialization_cancels_the_initial_pattern()
    {
        // Before: groups (2, 1); after: (4, 1). Relative to group 0 the trained profile is (1, 0.25),
        // but the initial one was already (1, 0.5): growth (2, 1) → relative growth (1, 0.5).
        var before = Conv(4);
        Fill(before, j => j < 2 ? 2 : 1);
        using var initial = new Convs(("conv", before));
        var after = Conv(4);
        Fill(after, j => j < 2 ? 4 : 1);
        using var trained = new Convs(("conv", after));

        var growth = GroupNorms.Profile(trained, 2).RelativeTo(GroupNorms.Profile(initial, 2));
        Assert.Equal(new[] { 2.0, 1.0 }, growth.Layers[0].Rms.Select(r => Math.Round(r, 12)));
        Assert.Equal(0.5, growth.Relative[1], 12);
        Assert.Equal(0.5, growth.LastToFirst, 12);
    }

    [Fact]
    public void The_paired_difference_is_taken_conv_by_conv()
    {
        // Arm a: relative last groups (0.5, 1.0) over two convs; arm b: (0.25, 0.95). Differences (0.25, 0.05).
        using var a = new Convs(("x", Filled(4, j => j < 2 ? 1 : 0.5)), ("y", Filled(4, _ => 1)));
        using var b = new Convs(("x", Filled(4, j => j < 2 ? 1 : 0.25)), ("y", Filled(4, j => j < 2 ? 1 : 0.95)));
        var (mean, error) = GroupNorms.Profile(a, 2).DifferenceFrom(GroupNorms.Profile(b, 2), 1);
        Assert.Equal(0.15, mean, 6); // float32 weights: 0.95 is not exact
        // Sample std of (0.25, 0.05) is 0.2/√2; over √2 convs: 0.1.
        Assert.Equal(0.1, error, 6);
        Assert.Equal((0.0, 0.0), GroupNorms.Profile(a, 2).DifferenceFrom(GroupNorms.Profile(b, 2), 0));
    }

    [Fact]
    public void Profiles_of_different_convs_are_not_compared()
    {
        using var one = new Convs(("x", Filled(4, _ => 1)));
        using var other = new Convs(("z", Filled(4, _ => 1)));
        var p = GroupNorms.Profile(one, 2);
        Assert.Contains("same convs", Assert.Throws<ArgumentException>(() => p.RelativeTo(GroupNorms.Profile(other, 2))).Message);
        Assert.Throws<ArgumentException>(() => p.DifferenceFrom(GroupNorms.Profile(one, 4), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => p.DifferenceFrom(p, 2));
    }

    private static USConv2d Filled(int outChannels, Func<int, double> value)
    {
        var conv = Conv(outChannels);
        Fill(conv, value);
        return conv;
    }

    [Fact]
    public void Bad_input_is_refused_with_a_reason()
    {
        using var empty = new Convs(("plain", new Conv2d(2, 8, 1)));
        Assert.Contains("no slimmable conv", Assert.Throws<ArgumentException>(() => GroupNorms.Profile(empty, 8)).Message);
        var zero = Conv(8);
        Fill(zero, _ => 0);
        using var zeros = new Convs(("zero", zero));
        Assert.Contains("group 0", Assert.Throws<InvalidOperationException>(() => GroupNorms.Profile(zeros, 8)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => GroupNorms.Profile(zeros, 0));
        Assert.Throws<ArgumentNullException>(() => GroupNorms.Profile(null!, 8));
    }
}
