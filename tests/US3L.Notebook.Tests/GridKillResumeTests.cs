using US3L.Training;
using System.Text.Json.Nodes;

namespace US3L.Notebook.Tests;

/// <summary>
/// A grid arm whose <c>us3l pretrain</c> process is killed with SIGKILL at a seeded random iteration
/// (nothing gets to save: a crash or the out-of-memory killer) is resumed by the next run of the grid
/// and ends exactly as the same arm trained without interruption: the same metrics.jsonl line for
/// line (timings aside), the same final checkpoint byte for byte, the same per-width accuracies.
/// </summary>
[Collection(RunStoreCollection.Name)]
public sealed class GridKillResumeTests : IDisposable
{
    // 64 images in batches of 32: 2 iterations per epoch, 3 epochs, a checkpoint per epoch.
    private const int Iterations = 6;
    private static readonly EvaluationSettings Evaluation = new(128, 64, CalibrationBatches: 1, BatchSize: 64, Profile: "smoke");
    private static readonly double[] Widths = [1.0, 0.25];

    private readonly string root = Directory.CreateTempSubdirectory("us3l-grid-kill-").FullName;
    private readonly string? previousRoot = RunStore.Root;
    private readonly Xunit.Abstractions.ITestOutputHelper output;

    public GridKillResumeTests(Xunit.Abstractions.ITestOutputHelper output) => this.output = output;

    public void Dispose()
    {
        if (previousRoot is not null) RunStore.Root = previousRoot;
        Directory.Delete(root, recursive: true);
    }

    private static AblationGrid Tiny() => new("fashion-mnist-us3l", "smoke")
    {
        Name = "kill",
        Fixed = { "train_subset=64", "batch_size=32", "epochs=3", "sampler=sandwich", "knn_every=0", "knn_subset=64", "monitor_every=1000" },
        ["ema_momentum"] = ["0.98"],
    };

    [Theory]
    [InlineData(5)]
    public void An_arm_killed_at_a_random_iteration_resumes_to_exactly_the_uninterrupted_arm(int seed)
    {
        var grid = Tiny();
        RunStore.Root = Path.Combine(root, "straight");
        var straight = grid.Run(Evaluation, Widths, parallel: 1);
        Assert.Empty(straight.Failures);
        var straightDir = grid.Arms()[0].RunDir;

        RunStore.Root = Path.Combine(root, "killed");
        var arm = grid.Arms()[0];
        var asked = new Random(seed).Next(1, Iterations);
        // The arm's process exactly as the grid starts it (same arguments, same thread count), killed by hand.
        using (var process = new ArmProcess(arm, resume: false, GridParallelism.ThreadsPerArm(1), CliLocator.Dll()))
        {
            var metrics = Path.Combine(arm.RunDir, "metrics.jsonl");
            while (!process.HasExited && IterationLines(metrics) < asked) Thread.Sleep(10);
            Assert.False(process.HasExited, $"the arm finished before iteration {asked}: {process.Output}");
            process.WaitForExit(TimeSpan.Zero); // not done: killed with SIGKILL
            Assert.Equal(128 + 9, process.ExitCode);
            output.WriteLine($"seed {seed}: killed at iteration {asked} (the log held {IterationLines(metrics)} iteration lines); state {arm.State()}");
        }
        Assert.NotEqual(RunFolderState.Finished, arm.State());

        var resumed = grid.Run(Evaluation, Widths, parallel: 1);
        Assert.Empty(resumed.Failures);
        Assert.Equal(1, resumed.ProcessesStarted);
        Assert.Equal(Lines(straightDir), Lines(arm.RunDir));
        Assert.Equal(File.ReadAllBytes(Checkpoint(straightDir)), File.ReadAllBytes(Checkpoint(arm.RunDir)));
        Assert.Equal(["last.safetensors"], Directory.GetFiles(Path.GetDirectoryName(Checkpoint(arm.RunDir))!).Select(Path.GetFileName));
        Assert.Equal(straight.Summaries.Single().Results, resumed.Summaries.Single().Results);
    }

    private static string Checkpoint(string run) => Path.Combine(run, "checkpoints", "last.safetensors");

    private static int IterationLines(string metrics)
    {
        if (!File.Exists(metrics)) return 0;
        using var stream = new FileStream(metrics, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n').Count(l => l.Contains("\"kind\":\"iteration\"", StringComparison.Ordinal));
    }

    /// <summary>The metrics log without its timings (images per second, seconds), which differ from run to run.</summary>
    private static string[] Lines(string run) => File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(line =>
    {
        var o = JsonNode.Parse(line)!.AsObject();
        o.Remove("images_per_second");
        o.Remove("seconds");
        return o.ToJsonString();
    }).ToArray();
}
