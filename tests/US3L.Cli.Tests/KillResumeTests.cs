using System.Diagnostics;
using System.Text.Json.Nodes;

namespace US3L.Cli.Tests;

/// <summary>
/// `us3l pretrain` killed with SIGKILL (no chance to save: a crash, the out-of-memory killer, a
/// pulled plug) at a seeded random iteration, then `us3l pretrain --resume`d, ends exactly where an
/// uninterrupted run ends: the same metrics.jsonl line for line (timings aside) and the same final
/// checkpoint byte for byte (weights, teacher, optimizer, RNG states, counters). The last checkpoint
/// is the end of the last finished epoch, so the resume redoes the iterations lost since.
/// </summary>
[Collection(CpuHeavyCollection.Name)]
public sealed class KillResumeTests(KillResumeTests.UninterruptedRun straight, Xunit.Abstractions.ITestOutputHelper output)
    : IClassFixture<KillResumeTests.UninterruptedRun>, IDisposable
{
    // 96 images in batches of 32: 3 iterations per epoch; 4 epochs (dynamic A's four phases); a checkpoint per epoch.
    private const int Iterations = 12;
    private static readonly string[] Tiny =
    [
        "pretrain", "--recipe", "fashion-mnist-us3l", "--profile", "smoke", "--set", "train_subset=96", "--set", "batch_size=32",
        "--set", "epochs=4", "--set", "knn_every=0", "--set", "knn_subset=64", "--set", "monitor_every=2",
    ];

    private readonly string root = Directory.CreateTempSubdirectory("us3l-kill-resume-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>The run every killed one is compared with, trained once for the class.</summary>
    public sealed class UninterruptedRun : IDisposable
    {
        private readonly string root = Directory.CreateTempSubdirectory("us3l-kill-resume-straight-").FullName;

        public UninterruptedRun()
        {
            Dir = Path.Combine(root, "straight");
            using var process = Process.Start(Start(root, [.. Tiny, "--out", Dir]))!;
            var all = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"the uninterrupted run failed: {string.Concat(all.Result)}");
        }

        public string Dir { get; }

        public void Dispose() => Directory.Delete(root, recursive: true);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(23)]
    public void A_run_killed_at_random_iterations_and_resumed_equals_the_uninterrupted_run(int seed)
    {
        var killed = Path.Combine(root, "killed");
        var random = new Random(seed);
        var asked = random.Next(1, Iterations);
        var died = KillAt(asked, [.. Tiny, "--out", killed], killed);
        output.WriteLine($"seed {seed}: killed at iteration {asked} (the log held {died} iteration lines)");
        // A second death, in the middle of the resumed run (past the lines the first one left, which the resume cuts back).
        if (died < Iterations - 1)
        {
            asked = random.Next(died + 1, Iterations);
            died = KillAt(asked, ["pretrain", "--resume", killed], killed);
            output.WriteLine($"seed {seed}: the resumed run killed at iteration {asked} (the log held {died} iteration lines)");
        }
        Pretrain("pretrain", "--resume", killed);

        Assert.Equal(Lines(straight.Dir), Lines(killed));
        Assert.Equal(File.ReadAllBytes(Checkpoint(straight.Dir)), File.ReadAllBytes(Checkpoint(killed)));
        // Nothing half-written stays behind (a kill during a checkpoint write leaves a temporary file; the resume removes it).
        Assert.Equal(["last.safetensors"], Directory.GetFiles(Path.GetDirectoryName(Checkpoint(killed))!).Select(Path.GetFileName));
    }

    private static string Checkpoint(string run) => Path.Combine(run, "checkpoints", "last.safetensors");

    private void Pretrain(params string[] args)
    {
        using var process = Process.Start(Start(args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"us3l {string.Join(" ", args)} exited with {process.ExitCode}: {output.Result}{errors.Result}");
    }

    /// <summary>
    /// Starts the run and kills it (SIGKILL) once its metrics log holds <paramref name="iteration"/>
    /// iteration lines; returns how many it held when the process was gone.
    /// </summary>
    private int KillAt(int iteration, string[] args, string runDir)
    {
        using var process = Process.Start(Start(args))!;
        process.StandardOutput.ReadToEndAsync();
        process.StandardError.ReadToEndAsync();
        var metrics = Path.Combine(runDir, "metrics.jsonl");
        while (!process.HasExited && IterationLines(metrics) < iteration) Thread.Sleep(10);
        Assert.False(process.HasExited, $"the run ended before iteration {iteration}");
        process.Kill();
        process.WaitForExit();
        Assert.Equal(128 + 9, process.ExitCode);
        return IterationLines(metrics);
    }

    private ProcessStartInfo Start(string[] args) => Start(root, args);

    private static ProcessStartInfo Start(string workingDirectory, string[] args)
    {
        var start = CliProcess.StartInfo(workingDirectory, args);
        // One thread: the same arithmetic in every process, and light on a shared machine.
        start.Environment["OMP_NUM_THREADS"] = "1";
        return start;
    }

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
