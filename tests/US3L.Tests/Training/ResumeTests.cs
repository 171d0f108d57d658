using US3L.Training;

namespace US3L.Tests.Training;

[Collection(SeededTrainingCollection.Name)]
public class ResumeTests
{
    [Fact]
    public void StoppedAndResumedRunGivesTheSameLossesAsAnUninterruptedRun()
    {
        var config = TinyRuns.Config with { Epochs = 2 };
        var straight = TinyRuns.NewDir();
        using (var run = Pretrainer.Start(config, straight)) run.Train();

        // Stop mid-epoch 0 by cancellation after 2 iterations, resume, train to the end.
        var resumed = TinyRuns.NewDir();
        using (var cts = new CancellationTokenSource())
        using (var run = Pretrainer.Start(config, resumed))
        {
            var seen = 0;
            var result = run.Train(cts.Token, new SyncProgress(p => { if (++seen == 2) cts.Cancel(); }));
            Assert.True(result.Interrupted);
            Assert.Equal(2, result.Iterations);
            Assert.True(File.Exists(result.Checkpoint));
        }
        using (var run = Pretrainer.Resume(resumed))
        {
            var result = run.Train();
            Assert.False(result.Interrupted);
            Assert.Equal(2, result.EpochsCompleted);
        }

        var a = TinyRuns.Iterations(straight);
        var b = TinyRuns.Iterations(resumed);
        Assert.Equal(a.Count, b.Count);
        Assert.Equal(6, a.Count);
        for (var i = 0; i < a.Count; i++)
        {
            Assert.Equal(TinyRuns.Doubles(a[i], "widths"), TinyRuns.Doubles(b[i], "widths"));
            var (la, lb) = (TinyRuns.Doubles(a[i], "loss"), TinyRuns.Doubles(b[i], "loss"));
            for (var j = 0; j < la.Length; j++) Assert.Equal(la[j], lb[j], 1e-6);
            // The counters go on from the checkpoint's, not from zero.
            foreach (var counter in new[] { "optimizer_steps", "teacher_forwards", "passes" })
                Assert.Equal(a[i].GetProperty(counter).GetInt64(), b[i].GetProperty(counter).GetInt64());
            Assert.Equal(a[i].GetProperty("macs").GetDouble(), b[i].GetProperty("macs").GetDouble());
        }
    }

    [Fact]
    public void ResumeAfterACompletedEpochContinuesExactly()
    {
        var config = TinyRuns.Config with { Epochs = 2 };
        var straight = TinyRuns.NewDir();
        using (var run = Pretrainer.Start(config, straight)) run.Train();
        var split = TinyRuns.NewDir();
        using (var run = Pretrainer.Start(config with { Epochs = 2 }, split))
        using (var cts = new CancellationTokenSource())
        {
            run.Train(cts.Token, new SyncProgress(p => { if (p.Iteration == 3) cts.Cancel(); }));
            Assert.Equal(1, run.EpochsCompleted);
        }
        using (var run = Pretrainer.Resume(split)) run.Train();
        var (a, b) = (TinyRuns.Iterations(straight), TinyRuns.Iterations(split));
        Assert.Equal(a.Count, b.Count);
        for (var i = 0; i < a.Count; i++)
            Assert.Equal(TinyRuns.Doubles(a[i], "loss"), TinyRuns.Doubles(b[i], "loss"), (x, y) => Math.Abs(x - y) <= 1e-6);
    }

    [Fact]
    public void NonFiniteLossStopsWithEpochIterationAndWidthAndKeepsTheLastCheckpoint()
    {
        var dir = TinyRuns.NewDir();
        using (var run = Pretrainer.Start(TinyRuns.Config with { Epochs = 1 }, dir)) run.Train();
        var checkpoint = Path.Combine(dir, "checkpoints", "last.safetensors");
        var before = File.ReadAllBytes(checkpoint);
        var bad = TinyRuns.NewDir();
        Directory.Delete(bad);
        CopyDir(dir, bad);
        // Continue the finished run with an absurd learning rate: the loss diverges.
        var config = ConfigJson.Read(File.ReadAllText(Path.Combine(bad, "config.json"))) with { Epochs = 4, Lr = 1e9 };
        File.WriteAllText(Path.Combine(bad, "config.json"), ConfigJson.Write(config));
        var badCheckpoint = Path.Combine(bad, "checkpoints", "last.safetensors");
        var saved = File.ReadAllBytes(badCheckpoint);
        using var resumed = Pretrainer.Resume(bad);
        var e = Assert.Throws<NonFiniteLossException>(() => resumed.Train());
        Assert.Contains("epoch", e.Message);
        Assert.Contains("iteration", e.Message);
        Assert.Contains("width", e.Message);
        Assert.Contains("last.safetensors", e.Message);
        Assert.Equal(saved, File.ReadAllBytes(badCheckpoint));
        Assert.Equal(before, File.ReadAllBytes(checkpoint));
    }

    [Fact]
    public void LoadBackboneReadsTheTrainedOnlineBackbone()
    {
        var dir = TinyRuns.NewDir();
        using var run = Pretrainer.Start(TinyRuns.Config with { Epochs = 1 }, dir);
        run.Train();
        using var loaded = Pretrainer.LoadBackbone(dir);
        using var scope = US3L.Torch.torch.NewDisposeScope();
        var expected = run.Backbone.state_dict();
        foreach (var (k, v) in loaded.state_dict()) Assert.True(v.sub(expected[k]).abs().max().item<float>() == 0, k);
    }

    private static void CopyDir(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        foreach (var d in Directory.GetDirectories(from)) CopyDir(d, Path.Combine(to, Path.GetFileName(d)));
    }
}

/// <summary>An IProgress that calls back synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SyncProgress(Action<TrainProgress> report) : IProgress<TrainProgress>
{
    public void Report(TrainProgress value) => report(value);
}
