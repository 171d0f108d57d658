using US3L.Training;

namespace US3L.Notebook.Tests;

/// <summary>
/// Running grids for real: arms train in <c>us3l pretrain</c> processes (the CLI built next to this
/// library) into a fresh run store. In the run-store collection, because they move the process-wide
/// <see cref="RunStore.Root"/>: a test of another class that moved it (or deleted its store) in the
/// middle of a grid would send the grid's evaluation to the wrong folder.
/// </summary>
[Collection(RunStoreCollection.Name)]
public sealed class GridRunTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("us3l-grid-runs-").FullName;
    private readonly string? previousRoot = RunStore.Root;
    private static readonly EvaluationSettings Evaluation = new(128, 64, CalibrationBatches: 1, BatchSize: 64, Profile: "smoke");

    public GridRunTests() => RunStore.Root = root;

    public void Dispose()
    {
        if (previousRoot is not null) RunStore.Root = previousRoot;
        Directory.Delete(root, recursive: true);
    }

    // Seconds per arm: 64 images, 2 epochs of 2 batches, fixed sandwich (dynamic A needs 4 epochs).
    private static AblationGrid Tiny(string name, params string[] emaMomenta) => new("fashion-mnist-us3l", "smoke")
    {
        Name = name,
        Fixed = { "train_subset=64", "batch_size=32", "epochs=2", "sampler=sandwich", "knn_every=0", "knn_subset=64", "monitor_every=1000" },
        ["ema_momentum"] = emaMomenta,
    };

    [Fact]
    public void A_grid_trains_each_arm_writes_its_summary_and_a_second_run_starts_no_process()
    {
        var grid = Tiny("twice", "0.98", "0.5");
        var seen = new List<IReadOnlyList<ArmProgress>>();
        var result = grid.Run(Evaluation, widths: new[] { 1.0, 0.25 }, parallel: 2, progress: new CallbackProgress<IReadOnlyList<ArmProgress>>(seen.Add));

        Assert.Empty(result.Failures);
        Assert.Equal(2, result.ProcessesStarted);
        Assert.Equal(2, result.Summaries.Count);
        Assert.Contains(seen, lines => lines.Any(l => l.Phase == ArmPhase.Training));
        Assert.All(seen[^1], l => Assert.Equal(ArmPhase.Done, l.Phase));
        foreach (var arm in result.Arms)
        {
            Assert.StartsWith(root, arm.RunDir);
            // The CLI's folder is the notebook's: same config.json bytes, so Pretrain() finds the run finished.
            Assert.Equal(ConfigJson.Write(arm.Config), File.ReadAllText(Path.Combine(arm.RunDir, "config.json")));
            var run = NotebookRun.Train(arm.Label, arm.Config);
            Assert.Equal(RunSource.Cached, run.Source);
            var summary = ArmSummary.Read(Path.Combine(arm.RunDir, ArmSummary.FileName));
            Assert.Equal(arm.Values, summary.Axes);
            Assert.Equal(new[] { 1.0, 0.25 }, summary.Results.Select(r => r.Width));
            // The summary carries the run's own per-width evaluation and training time, not numbers of its own.
            Assert.Equal(WidthEvaluation.Evaluate(run, new[] { 1.0, 0.25 }, Evaluation).Points, summary.Results);
            Assert.Equal(run.Metrics.TrainSeconds, summary.TrainSeconds);
        }
        Assert.Equal(new[] { "ema_momentum", "knn@1.0", "knn@0.25", "mean", "train_seconds" }, result.Table.Columns);

        var again = grid.Run(Evaluation, widths: new[] { 1.0, 0.25 }, parallel: 2);
        Assert.Equal(0, again.ProcessesStarted);
        Assert.Equal(result.Summaries.Select(s => s.Results), again.Summaries.Select(s => s.Results));
    }

    [Fact]
    public void An_interrupted_arm_saves_a_checkpoint_and_the_next_run_resumes_it()
    {
        var grid = Tiny("resume", "0.98");
        grid.Fixed.Remove("epochs=2");
        grid.Fixed.Add("epochs=3");
        using var cancel = new CancellationTokenSource();
        // Interrupt once the first epoch is saved, so the checkpoint exists however the process stops.
        var progress = new CallbackProgress<IReadOnlyList<ArmProgress>>(lines =>
        {
            if (lines[0].Phase == ArmPhase.Training && lines[0].Epoch >= 1) cancel.Cancel();
        });
        var e = Assert.ThrowsAny<OperationCanceledException>(() =>
            grid.Run(Evaluation, widths: new[] { 1.0 }, parallel: 1, progress: progress, ct: cancel.Token, interruptGrace: TimeSpan.FromSeconds(30)));
        Assert.Contains("Run the cell again", e.Message);
        var arm = grid.Arms()[0];
        Assert.Equal(RunFolderState.Interrupted, arm.State());
        Assert.False(File.Exists(Path.Combine(arm.RunDir, ArmSummary.FileName)));

        var result = grid.Run(Evaluation, widths: new[] { 1.0 }, parallel: 1);
        Assert.Empty(result.Failures);
        Assert.Equal(1, result.ProcessesStarted);
        Assert.Equal(RunFolderState.Finished, arm.State());
        var metrics = RunMetrics.Read(Path.Combine(arm.RunDir, "metrics.jsonl"));
        Assert.Equal(new[] { 0, 1, 2 }, metrics.Epochs.Select(x => x.Epoch));
        Assert.Equal(metrics.Iterations.Select((_, i) => (long)i), metrics.Iterations.Select(x => x.Iteration));
        Assert.Single(result.Summaries);
    }

    [Fact]
    public void A_bad_key_fails_before_any_process_or_folder()
    {
        var grid = new AblationGrid("fashion-mnist-us3l", "smoke") { Name = "bad", ["ema_momentun"] = new[] { "0.9" } };
        Assert.Throws<ArgumentException>(() => grid.Run(Evaluation));
        Assert.Empty(Directory.GetFileSystemEntries(root));
    }

    [Fact]
    public void A_folder_holding_another_config_fails_the_grid_before_anything_trains()
    {
        var grid = Tiny("clash", "0.98", "0.5");
        var arms = grid.Arms();
        Directory.CreateDirectory(Path.Combine(arms[1].RunDir, "checkpoints"));
        File.WriteAllText(Pretrainer.CheckpointPath(arms[1].RunDir), "");
        File.WriteAllText(Path.Combine(arms[1].RunDir, "config.json"), "{}");
        Assert.Contains("different config", Assert.Throws<InvalidOperationException>(() => grid.Run(Evaluation)).Message);
        Assert.False(Directory.Exists(arms[0].RunDir));
    }
}
