using System.Diagnostics;
using US3L.Training;

namespace US3L.Tests.Training;

/// <summary>A run folder's state is read in one place, and a folder a live trainer holds is never trained twice.</summary>
[Collection(SeededTrainingCollection.Name)]
public class RunFolderTests
{
    private static PretrainConfig Short => TinyRuns.Config with { Epochs = 1, TrainSubset = 64 };

    [Fact]
    public void AFolderGoesFromNewToRunningToInterruptedToFinished()
    {
        var dir = Path.Combine(TinyRuns.NewDir(), "run");
        Assert.Equal(RunFolderState.New, RunFolder.StateOf(dir, Short));
        using var cts = new CancellationTokenSource();
        using (var run = Pretrainer.Start(Short, dir))
        {
            Assert.Equal(RunFolderState.Running, RunFolder.StateOf(dir, Short));
            Assert.Equal(Environment.ProcessId, RunFolder.HolderOf(dir));
            cts.Cancel();
            Assert.True(run.Train(cts.Token).Interrupted);
        }
        Assert.Null(RunFolder.HolderOf(dir));
        Assert.Equal(RunFolderState.Interrupted, RunFolder.StateOf(dir, Short));
        using (var run = Pretrainer.Resume(dir)) run.Train();
        Assert.Equal(RunFolderState.Finished, RunFolder.StateOf(dir, Short));
        Assert.Equal(RunFolderState.Finished, RunFolder.StateOf(dir));
    }

    [Fact]
    public void AFolderWithoutACheckpointIsAbandonedAndAnotherConfigIsAnError()
    {
        var dir = TinyRuns.NewDir();
        Assert.Equal(RunFolderState.Abandoned, RunFolder.StateOf(dir, Short));
        using (var run = Pretrainer.Start(Short, dir)) run.Train();
        var e = Assert.Throws<InvalidOperationException>(() => RunFolder.StateOf(dir, Short with { Seed = 8 }));
        Assert.Contains("different config", e.Message);
    }

    [Fact]
    public void ASecondTrainerOfAHeldFolderIsRefusedAndTheFirstKeepsIt()
    {
        var dir = TinyRuns.NewDir();
        using var first = Pretrainer.Start(Short, dir);
        var e = Assert.Throws<InvalidOperationException>(() => Pretrainer.Resume(dir));
        Assert.Contains("being trained", e.Message);
        Assert.Equal(RunFolderState.Running, RunFolder.StateOf(dir, Short));
        Assert.False(first.Train().Interrupted);
    }

    [Fact]
    public void TheLockOfAKilledTrainerIsStale()
    {
        var dir = TinyRuns.NewDir();
        using (var run = Pretrainer.Start(Short, dir)) run.Train();
        // A process that has ended (as a killed trainer has) leaves its lock behind.
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        gone.WaitForExit();
        File.WriteAllText(Path.Combine(dir, "running.lock"), $"{gone.Id} {DateTime.UtcNow.Ticks}");
        Assert.Null(RunFolder.HolderOf(dir));
        Assert.Equal(RunFolderState.Finished, RunFolder.StateOf(dir, Short));
        // A live process of another start time (a reused process id) does not hold it either.
        File.WriteAllText(Path.Combine(dir, "running.lock"), $"1 {DateTime.UtcNow.Ticks}");
        Assert.Null(RunFolder.HolderOf(dir));
        using (var again = Pretrainer.Resume(dir)) Assert.Equal(1, again.EpochsCompleted);
    }
}
