using US3L.Config;
using US3L.Tests.Training;
using US3L.Training;

namespace US3L.Tests.Config;

/// <summary>
/// The recipe loader and the trainer judge a config by the same validator: a value one accepts the
/// other runs, and a value one refuses the other refuses with the same sentence.
/// </summary>
[Collection(SeededTrainingCollection.Name)]
public class OneValidatorTests
{
    [Theory]
    [InlineData("log_every=0")]
    [InlineData("knn_every=-2")]
    [InlineData("ema_momentum=1.5")]
    [InlineData("checkpoint_every=-1")]
    public void TheTrainerRefusesWhatTheRecipeLoaderRefusesWithTheSameWords(string set)
    {
        var loader = Assert.Throws<ConfigException>(() => RecipeLoader.Load("fashion-mnist-us3l", "smoke", new[] { set }));
        var config = ConfigOverrides.Apply(TinyRuns.Config, new[] { set });
        var dir = TinyRuns.NewDir();
        var trainer = Assert.Throws<ConfigException>(() => Pretrainer.Start(config, dir));
        Assert.Equal(loader.Problem, trainer.Problem);
        Assert.False(File.Exists(Path.Combine(dir, "config.json")), "a refused config leaves nothing in the folder");
    }

    [Theory]
    [InlineData("checkpoint_every=0")]
    [InlineData("ema_momentum=1")]
    [InlineData("knn_every=-1")]
    public void WhatTheRecipeLoaderAcceptsTheTrainerRuns(string set)
    {
        RecipeLoader.Load("fashion-mnist-us3l", "smoke", new[] { set });
        var config = ConfigOverrides.Apply(TinyRuns.Config with { Epochs = 1, TrainSubset = 64 }, new[] { set });
        using var run = Pretrainer.Start(config, TinyRuns.NewDir());
        var result = run.Train();
        Assert.False(result.Interrupted);
        Assert.True(File.Exists(result.Checkpoint));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    public void CheckpointEveryZeroSavesOnlyAtTheEnd(int every, bool savedAfterEpochOne)
    {
        var dir = TinyRuns.NewDir();
        bool? savedInEpochTwo = null;
        using (var run = Pretrainer.Start(TinyRuns.Config with { Epochs = 2, CheckpointEvery = every }, dir))
        {
            var result = run.Train(progress: new SyncProgress(p => savedInEpochTwo ??= p.Epoch == 1 ? File.Exists(Pretrainer.CheckpointPath(dir)) : null));
            Assert.True(File.Exists(result.Checkpoint));
        }
        Assert.Equal(savedAfterEpochOne, savedInEpochTwo);
    }
}
