using US3L.Config;
using US3L.Models;
using US3L.Slimmable;
using US3L.Training;

namespace US3L.Tests.Training;

/// <summary>
/// DSPNet / S-Net pretraining (science.md 6.9): sampler fixed over the width list, a private BN per
/// width, the widest trained by the base loss and the others distilled from the EMA teacher.
/// </summary>
public class SwitchableTrainingTests
{
    private static PretrainConfig SNet => TinyRuns.Config with
    {
        Sampler = SamplerKind.Fixed, FixedWidths = new[] { 1.0, 0.5 }, NumWidths = 2, SwitchableBn = true, EvalWidths = new[] { 1.0, 0.5 },
        Epochs = 1,
    };

    [Fact]
    public void EveryIterationTrainsEachListedWidthThroughItsOwnBatchNorm()
    {
        var dir = TinyRuns.NewDir();
        try
        {
            using (var run = Pretrainer.Start(SNet, dir)) run.Train();
            var iterations = TinyRuns.Iterations(dir);
            Assert.Equal(3, iterations.Count);
            Assert.All(iterations, i => Assert.Equal(new[] { 1.0, 0.5 }, TinyRuns.Doubles(i, "widths")));

            using var backbone = Pretrainer.LoadBackbone(dir);
            Assert.Equal(new[] { 1.0, 0.5 }, backbone.WidthsList);
            Assert.Throws<ArgumentOutOfRangeException>(() => backbone.SetWidth(0.75));
            // Train mode updated each width's private statistics, and only its own: bn.0 (1.0) and bn.1 (0.5) both moved from 0/1.
            var bn = (SwitchableBatchNorm2d)backbone.get_submodule("layer2.0.bn1");
            Assert.All(new[] { 1.0, 0.5 }, w => Assert.True(bn.At(w).running_mean!.abs().max().item<float>() > 0, $"width {w}"));
            Assert.Equal(bn.At(1.0).num_batches_tracked!.item<long>(), bn.At(0.5).num_batches_tracked!.item<long>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TheRecipeListsTheReferenceWidthsWithSwitchableBatchNorm()
    {
        var c = RecipeLoader.Load("fashion-mnist-dspnet", "full");
        Assert.True(c.SwitchableBn);
        Assert.Equal(SamplerKind.Fixed, c.Sampler);
        Assert.Equal(new[] { 1.0, 0.75, 0.5, 0.25 }, c.FixedWidths);
        Assert.True(c.Distill);
        Assert.Equal(TargetSource.EmaTeacher, c.TargetSource);
        // The same budget and method as the US3L recipe, apart from the widths and the BN.
        var us3l = RecipeLoader.Load("fashion-mnist-us3l", "full");
        Assert.Equal((us3l.Epochs, us3l.BatchSize, us3l.Lr, us3l.TrainSubset, us3l.BaseLoss, us3l.DistillHead, us3l.EmaMomentum, us3l.GroupReg),
            (c.Epochs, c.BatchSize, c.Lr, c.TrainSubset, c.BaseLoss, c.DistillHead, c.EmaMomentum, c.GroupReg));
    }

    [Theory]
    [InlineData("sampler: dynamic_a\n", "switchable_bn keeps a private BN per width of fixed_widths, so it needs sampler fixed, got dynamic_a.")]
    [InlineData("sampler: fixed\nfixed_widths: [0.5, 0.25]\nwidth_max: 1.0\neval_widths: [0.5]\n", "switchable_bn: fixed_widths must include width_max = 1, the EMA teacher's width.")]
    [InlineData("sampler: fixed\nfixed_widths: [1.0, 0.5]\neval_widths: [1.0, 0.75]\n", "eval_widths: 0.75 is not one of fixed_widths [1, 0.5]; an S-Net (switchable_bn) runs at those widths only.")]
    [InlineData("sampler: fixed\nfixed_widths: [1.0, 0.5]\neval_widths: [1.0]\narch: us_vit_mini\n", "switchable_bn: arch 'us_vit_mini' has no BatchNorm to make switchable.")]
    public void ABadSwitchableConfigNamesTheKey(string yaml, string problem)
    {
        var e = Assert.Throws<ConfigException>(() => RecipeLoader.Parse("switchable_bn: true\n" + yaml, "my.yaml"));
        Assert.Contains(problem, e.Message);
    }
}
