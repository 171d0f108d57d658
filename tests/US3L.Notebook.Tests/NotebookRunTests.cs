using US3L.Config;
using US3L.Training;

namespace US3L.Notebook.Tests;

/// <summary>The run store: one folder per resolved config, reused when finished, resumed when interrupted.</summary>
[Collection(RunStoreCollection.Name)]
public sealed class NotebookRunTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("us3l-notebook-runs-").FullName;

    public NotebookRunTests() => RunStore.Root = root;

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>A seconds-long US3L run: 128 images, 2 epochs of 2 iterations.</summary>
    internal static PretrainConfig Tiny(params string[] more) => RecipeLoader.Load("fashion-mnist-us3l", "smoke",
        new[] { "train_subset=128", "batch_size=64", "epochs=2", "knn_subset=128", "sampler=sandwich", "monitor_every=1" }.Concat(more));

    [Fact]
    public void The_folder_is_keyed_by_a_hash_of_the_resolved_config()
    {
        var a = Tiny();
        Assert.Equal(RunStore.Hash(a), RunStore.Hash(Tiny()));
        Assert.NotEqual(RunStore.Hash(a), RunStore.Hash(Tiny("seed=1")));
        Assert.NotEqual(RunStore.Hash(a), RunStore.Hash(Tiny("distill_head=shared")));
        Assert.Equal(Path.Combine(root, $"naive-arm-seed-0-{RunStore.Hash(a)}"), RunStore.FolderFor("naive arm/seed 0", a));
        Assert.Throws<ArgumentException>(() => RunStore.FolderFor(" ", a));
    }

    [Fact]
    public void A_finished_run_is_reused_without_training()
    {
        var config = Tiny();
        var first = NotebookRun.Train("tiny", config);
        Assert.Equal(RunSource.Trained, first.Source);
        Assert.True(first.Metrics.Finished);
        Assert.Equal(4, first.Metrics.Iterations.Count);
        var metrics = Path.Combine(first.RunDir, "metrics.jsonl");
        var before = File.ReadAllText(metrics);

        var reports = 0;
        var second = NotebookRun.Train("tiny", config, new CallbackProgress<TrainProgress>(_ => reports++));
        Assert.Equal(RunSource.Cached, second.Source);
        Assert.Equal(first.RunDir, second.RunDir);
        Assert.Equal(0, reports);
        Assert.Equal(before, File.ReadAllText(metrics));
        using var backbone = second.LoadBackbone();
        Assert.Equal(config.Arch, backbone.Arch);
    }

    [Fact]
    public void An_interrupted_run_saves_and_the_next_call_resumes_it_to_the_same_losses()
    {
        var config = Tiny();
        var reference = NotebookRun.Train("uninterrupted", config).Metrics.Iterations.Select(r => r.Losses.ToArray()).ToList();

        using var cts = new CancellationTokenSource();
        var seen = 0;
        var stopAfterThree = new CallbackProgress<TrainProgress>(p => { if (p.Knn is null && ++seen == 3) cts.Cancel(); });
        var stopped = Assert.Throws<OperationCanceledException>(() => NotebookRun.Train("interrupted", config, stopAfterThree, cts.Token));
        Assert.Contains("Run the cell again to resume", stopped.Message);

        var resumed = NotebookRun.Train("interrupted", config);
        Assert.Equal(RunSource.Resumed, resumed.Source);
        var losses = resumed.Metrics.Iterations.Select(r => r.Losses.ToArray()).ToList();
        Assert.Equal(reference.Count, losses.Count);
        for (int i = 0; i < losses.Count; i++)
            for (int w = 0; w < losses[i].Length; w++)
                Assert.Equal(reference[i][w], losses[i][w], 1e-5);
    }

    [Fact]
    public void A_folder_holding_another_config_is_an_error_not_a_reuse()
    {
        var config = Tiny();
        var run = NotebookRun.Train("tiny", config);
        File.WriteAllText(Path.Combine(run.RunDir, "config.json"), ConfigJson.Write(config with { Seed = 5 }));
        var e = Assert.Throws<InvalidOperationException>(() => NotebookRun.Train("tiny", config));
        Assert.Contains("different config", e.Message);
    }

    [Fact]
    public void A_start_that_left_no_checkpoint_is_trained_again()
    {
        var config = Tiny();
        var dir = RunStore.FolderFor("tiny", config);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), "{}");
        Assert.Equal(RunSource.Trained, NotebookRun.Train("tiny", config).Source);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunStoreCollection
{
    /// <summary>Tests that set the process-wide <see cref="RunStore.Root"/>.</summary>
    public const string Name = "run store";
}
