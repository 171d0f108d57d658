using US3L.Regularization;

namespace US3L.Tests.Regularization;

/// <summary>The coefficient schedule and channel grouping of science.md 5.</summary>
public class GroupRegularizationTests
{
    private const double Lambda = 5e-5;

    [Fact]
    public void Linear_profile_at_full_alpha_ends_at_0_65_lambda()
    {
        var c = new GroupRegularization(Lambda, 0.05, 8, 0, 400).Coefficients(200);
        Assert.Equal(8, c.Length);
        for (var i = 0; i < 8; i++) Assert.Equal(Lambda * (1 - 0.05 * i), c[i], 1e-18);
        Assert.Equal(Lambda, c[0]);
        Assert.Equal(0.65 * Lambda, c[7], 1e-18);
    }

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(50, 0.0125)]
    [InlineData(100, 0.025)]
    [InlineData(199, 0.05 * 199 / 200)]
    [InlineData(200, 0.05)]
    [InlineData(399, 0.05)]
    public void Alpha_ramps_linearly_to_mid_training_without_warm_up(int epoch, double alpha)
    {
        var settings = new GroupRegularization(Lambda, 0.05, 8, WarmupEpochs: 0, TotalEpochs: 400);
        Assert.Equal(alpha, settings.AlphaAt(epoch), 15);
        Assert.Equal(Lambda * (1 - 7 * alpha), settings.Coefficients(epoch)[7], 1e-18);
    }

    [Theory]
    [InlineData(3, 0.025)]
    [InlineData(4, 0.05)]
    public void An_odd_run_ramps_to_the_floor_of_half_its_length(int epoch, double alpha)
    {
        // GroupReg.py: ramp_epochs = total_epochs // 2, so E = 9 with E_warm = 2 reaches α at epoch 4, not 4.5.
        var settings = new GroupRegularization(Lambda, 0.05, 8, WarmupEpochs: 2, TotalEpochs: 9);
        Assert.Equal(alpha, settings.AlphaAt(epoch), 15);
    }

    [Fact]
    public void At_epoch_zero_without_warm_up_every_group_gets_lambda()
    {
        Assert.All(new GroupRegularization(Lambda, 0.05, 8, 0, 400).Coefficients(0), c => Assert.Equal(Lambda, c));
    }

    [Fact]
    public void Warm_up_of_half_the_run_turns_the_ramp_into_a_step()
    {
        // ImageNet: E = 100, E_warm = 50 (quirk 7.3.5).
        var settings = new GroupRegularization(Lambda, 0.05, 8, WarmupEpochs: 50, TotalEpochs: 100);
        Assert.All(settings.Coefficients(0), c => Assert.Equal(Lambda, c));
        Assert.All(settings.Coefficients(49), c => Assert.Equal(Lambda, c));
        Assert.Equal(0.05, settings.AlphaAt(50));
        Assert.Equal(0.65 * Lambda, settings.Coefficients(50)[7], 1e-18);
        Assert.Equal(0.65 * Lambda, settings.Coefficients(99)[7], 1e-18);
    }

    [Fact]
    public void Warm_up_shorter_than_half_ramps_from_the_end_of_warm_up()
    {
        // 800-epoch BYOL: E_warm = 200, α reached at 400.
        var settings = new GroupRegularization(2.5e-4, 0.05, 8, WarmupEpochs: 200, TotalEpochs: 800);
        Assert.All(settings.Coefficients(199), c => Assert.Equal(2.5e-4, c));
        Assert.Equal(0.0, settings.AlphaAt(200));
        Assert.Equal(0.025, settings.AlphaAt(300), 15);
        Assert.Equal(0.05, settings.AlphaAt(400));
    }

    [Fact]
    public void Channels_split_into_k_contiguous_groups_with_the_remainder_last()
    {
        var s = new GroupRegularization(Groups: 8);
        // C = 10: groups of floor(10/8) = 1; channels 7, 8, 9 share the last group.
        Assert.Equal(new[] { 0, 1, 2, 3, 4, 5, 6, 7, 7, 7 }, Enumerable.Range(0, 10).Select(j => s.GroupOf(j, 10)));
        // C = 20: groups of 2; the last group holds channels 14 … 19.
        Assert.Equal(new[] { 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 7, 7, 7, 7 }, Enumerable.Range(0, 20).Select(j => s.GroupOf(j, 20)));
        // C = 64: exact groups of 8.
        Assert.Equal(Enumerable.Range(0, 64).Select(j => j / 8), Enumerable.Range(0, 64).Select(j => s.GroupOf(j, 64)));
        // C < K: floor(C/K) = 0, so every channel is in the last group.
        Assert.All(Enumerable.Range(0, 3).Select(j => s.GroupOf(j, 3)), g => Assert.Equal(7, g));
    }

    [Fact]
    public void Invalid_settings_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new GroupRegularization(Groups: 0).Coefficients(0));
        Assert.Throws<ArgumentException>(() => new GroupRegularization(Lambda: -1).Coefficients(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GroupRegularization().Coefficients(-1));
    }
}
