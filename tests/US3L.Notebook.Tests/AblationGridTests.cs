using US3L.Config;
using US3L.Training;

namespace US3L.Notebook.Tests;

/// <summary>Declaring a grid: its arms, their configs and folders, and errors before anything trains.</summary>
public class AblationGridTests
{
    private static AblationGrid Grid() => new("fashion-mnist-us3l", "smoke")
    {
        Fixed = { "epochs=4", "seed=3" },
        ["distill_head"] = new[] { "separate", "shared" },
        ["ema_momentum"] = new[] { "0.98", "0.9", "0.5" },
    };

    [Fact]
    public void Arms_are_the_cartesian_product_in_axis_order()
    {
        var arms = Grid().Arms();
        Assert.Equal(6, arms.Count);
        Assert.Equal(new[] { "separate", "separate", "separate", "shared", "shared", "shared" }, arms.Select(a => a.Values[0].Value));
        Assert.Equal(new[] { "0.98", "0.9", "0.5", "0.98", "0.9", "0.5" }, arms.Select(a => a.Values[1].Value));
        Assert.Equal("fashion-mnist-us3l distill_head=shared ema_momentum=0.9", arms[4].Label);
        Assert.Equal("distill_head=shared, ema_momentum=0.9", arms[4].Description);
        Assert.Equal(6, arms.Select(a => a.RunDir).Distinct().Count());
    }

    [Fact]
    public void Each_arm_is_the_loader_config_of_its_overrides_and_maps_to_the_run_store_folder()
    {
        var arm = Grid().Arms()[4];
        var expected = RecipeLoader.Load("fashion-mnist-us3l", "smoke", new[] { "epochs=4", "seed=3", "distill_head=shared", "ema_momentum=0.9" });
        Assert.Equal(ConfigJson.Write(expected), ConfigJson.Write(arm.Config));
        Assert.Equal(DistillHead.Shared, arm.Config.DistillHead);
        Assert.Equal(0.9, arm.Config.EmaMomentum);
        Assert.Equal(3, arm.Config.Seed);
        Assert.Equal(RunStore.FolderFor(arm.Label, arm.Config), arm.RunDir);
    }

    [Fact]
    public void The_cli_arguments_run_the_arms_resolved_config_file_into_its_folder()
    {
        var arm = Grid().Arms()[0];
        Assert.Equal(new[] { "pretrain", "--config", "arm.json", "--out", arm.RunDir }, arm.PretrainArguments(resume: false, "arm.json"));
        Assert.Equal(new[] { "pretrain", "--resume", arm.RunDir }, arm.PretrainArguments(resume: true, "arm.json"));
    }

    [Fact]
    public void An_unknown_key_or_value_is_the_loaders_error_naming_the_arm()
    {
        var typo = new AblationGrid("fashion-mnist-us3l", "smoke") { ["distil_head"] = new[] { "separate" } };
        var e = Assert.Throws<ArgumentException>(() => typo.Arms());
        Assert.Contains("distil_head=separate", e.Message);
        Assert.Contains("Did you mean 'distill_head'", e.Message);
        Assert.IsType<ConfigException>(e.InnerException);

        var badValue = new AblationGrid("fashion-mnist-us3l", "smoke") { ["distill_head"] = new[] { "separate", "both" } };
        var v = Assert.Throws<ArgumentException>(() => badValue.Arms());
        Assert.Contains("distill_head=both", v.Message);

        Assert.Throws<ArgumentException>(() => new AblationGrid("fashion-mnist-us3l", "tiny") { ["epochs"] = new[] { "1" } }.Arms());
    }

    [Fact]
    public void Malformed_axes_are_rejected_when_declared()
    {
        var grid = new AblationGrid("fashion-mnist-us3l", "smoke");
        Assert.Throws<ArgumentException>(() => grid["epochs"] = Array.Empty<string>());
        Assert.Throws<ArgumentException>(() => grid["epochs"] = new[] { "1", "1" });
        Assert.Throws<ArgumentException>(() => grid["epochs=2"] = new[] { "1" });
        Assert.Throws<ArgumentException>(() => grid["epochs"] = new[] { " " });
        Assert.Throws<InvalidOperationException>(() => grid.Arms());
        Assert.Throws<KeyNotFoundException>(() => grid["lr"]);
    }

    [Fact]
    public void A_key_both_fixed_and_varied_is_an_error_and_setting_an_axis_again_replaces_it_in_place()
    {
        var grid = new AblationGrid("fashion-mnist-us3l", "smoke") { Fixed = { "lr=0.1" }, ["lr"] = new[] { "0.05" } };
        Assert.Contains("both a fixed override", Assert.Throws<ArgumentException>(() => grid.Arms()).Message);

        var replaced = new AblationGrid("fashion-mnist-us3l", "smoke") { ["lr"] = new[] { "0.05" }, ["epochs"] = new[] { "4" } };
        replaced["lr"] = new[] { "0.1", "0.2" };
        Assert.Equal(new[] { "lr", "epochs" }, replaced.Axes.Select(a => a.Key));
        Assert.Equal(new[] { "0.1", "0.2" }, replaced["lr"]);
    }

    [Fact]
    public void Parallelism_gives_each_arm_two_threads_by_default_one_arm_on_a_gpu_and_respects_a_thread_cap()
    {
        var cpu = Grid().Arms();
        Assert.Equal(1, GridParallelism.Default(cpu, cores: 2));
        Assert.Equal(1, GridParallelism.Default(cpu, cores: 1));
        Assert.Equal(8, GridParallelism.Default(cpu, cores: 16));
        var gpu = new AblationGrid("fashion-mnist-us3l", "full") { ["epochs"] = new[] { "4" } }.Arms();
        Assert.Equal(1, GridParallelism.Default(gpu, cores: 16));

        Assert.Equal(2, GridParallelism.ThreadsPerArm(1, cores: 2, ompNumThreads: ""));
        Assert.Equal(1, GridParallelism.ThreadsPerArm(4, cores: 2, ompNumThreads: ""));
        Assert.Equal(4, GridParallelism.ThreadsPerArm(4, cores: 16, ompNumThreads: "not a number"));
        Assert.Equal(1, GridParallelism.ThreadsPerArm(1, cores: 16, ompNumThreads: "1"));
        Assert.Throws<ArgumentOutOfRangeException>(() => GridParallelism.ThreadsPerArm(0, cores: 2, ompNumThreads: ""));
    }
}
