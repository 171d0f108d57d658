using US3L.Config;
using US3L.Training;

namespace US3L.Tests.Training;

/// <summary>
/// Every shipped recipe trains: its smoke profile (synthetic data on the CPU for the CIFAR and
/// ImageNet recipes), cut to one batch per epoch and no kNN, runs all its epochs with finite losses
/// at every sampled width. Validation alone does not catch a model and head that do not fit
/// together at a sub-width.
/// </summary>
public class RecipeSmokeTrainingTests
{
    public static TheoryData<string> Recipes()
    {
        var data = new TheoryData<string>();
        foreach (var name in RecipeLoader.Names) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Recipes))]
    public void TheSmokeProfileTrainsEveryEpoch(string recipe)
    {
        var smoke = RecipeLoader.Load(recipe, "smoke");
        var config = RecipeLoader.Load(recipe, "smoke", new[] { $"train_subset={smoke.BatchSize}", "knn_every=0", "checkpoint_every=1000" });
        var dir = TinyRuns.NewDir();
        try
        {
            using (var run = Pretrainer.Start(config, dir)) run.Train();
            var iterations = TinyRuns.Iterations(dir);
            Assert.Equal(config.Epochs, iterations.Count);
            // Every width the sampler drew was trained and logged a finite loss.
            Assert.All(iterations, i => Assert.Equal(TinyRuns.Doubles(i, "widths").Length, TinyRuns.Doubles(i, "loss").Count(double.IsFinite)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
