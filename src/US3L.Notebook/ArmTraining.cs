using US3L.Training;

namespace US3L.Notebook;

/// <summary>
/// The training half of a grid: arms wait in a queue and train in their own <c>us3l pretrain</c>
/// processes, at most <c>parallel</c> at once; a finished one is handed to <see cref="Trained"/>.
/// </summary>
internal sealed class ArmTraining(GridBoard board, int parallel, int threads, TimeSpan grace) : IDisposable
{
    private readonly List<(int Index, ArmProcess Process)> running = new();
    private readonly Queue<(int Index, bool Resume)> waiting = new();
    private string? cli;

    /// <summary>Called with an arm's index when its training has finished.</summary>
    public Action<int>? Trained { get; init; }

    /// <summary>Processes started by this grid.</summary>
    public int Started { get; private set; }

    /// <summary>Whether arms wait or train.</summary>
    public bool Busy => waiting.Count > 0 || running.Count > 0;

    /// <summary>Queues arm <paramref name="i"/>, whose folder is new, abandoned (cleared first) or interrupted (resumed).</summary>
    public void Enqueue(int i, RunFolderState state)
    {
        // A folder without a checkpoint is a start that died before saving anything: nothing to resume.
        if (state == RunFolderState.Abandoned) Directory.Delete(board.Arms[i].RunDir, recursive: true);
        waiting.Enqueue((i, state == RunFolderState.Interrupted));
    }

    /// <summary>Starts waiting arms into free slots, then reads every running arm's progress and collects the finished ones.</summary>
    public void Poll()
    {
        while (running.Count < parallel && waiting.Count > 0) Start(waiting.Dequeue());
        for (int r = running.Count - 1; r >= 0; r--)
        {
            var (i, process) = running[r];
            var arm = board.Arms[i];
            process.Metrics.Poll();
            var epochs = arm.Config.Epochs;
            long? total = process.Metrics.LastEpoch is { } e && e.Epochs > 0 ? e.Iterations / e.Epochs * epochs : EstimatedIterations(arm.Config);
            var it = process.Metrics.LastIteration;
            board.Lines[i] = board.Lines[i] with
            {
                Done = it?.Done ?? 0, Total = total, Epoch = process.Metrics.LastEpoch?.Epochs ?? 0,
                Loss = it?.Loss, ImagesPerSecond = it?.ImagesPerSecond, Seconds = process.Seconds,
            };
            if (!process.HasExited) continue;
            process.WaitForExit(TimeSpan.Zero);
            running.RemoveAt(r);
            var code = process.ExitCode;
            var output = process.Output;
            process.Dispose();
            if (code == 0 && arm.State() == RunFolderState.Finished)
            {
                board.Lines[i] = board.Lines[i] with { Phase = ArmPhase.Trained, Done = board.Lines[i].Total ?? board.Lines[i].Done, Epoch = epochs, Note = "trained" };
                Trained?.Invoke(i);
            }
            else if (code == 130)
            {
                board.Lines[i] = board.Lines[i] with { Phase = ArmPhase.Interrupted, Note = "interrupted from outside; run again to resume" };
                board.Failures[arm.Label] = "interrupted from outside the grid; its checkpoint is saved and the next run resumes it.";
            }
            else
            {
                board.Fail(i, $"us3l pretrain exited with code {code}: {LastLine(output)}");
            }
        }
    }

    /// <summary>Asks every training process to save and stop (SIGINT), without waiting: safe from a process-exit handler.</summary>
    public void InterruptAll()
    {
        foreach (var (_, process) in running.ToArray())
        {
            try
            {
                process.Interrupt();
            }
            catch (InvalidOperationException)
            {
                // Already gone: the polling loop disposed it meanwhile.
            }
        }
    }

    /// <summary>Interrupts every training process and waits (up to the grace time each) for its checkpoint.</summary>
    public void Stop()
    {
        foreach (var (_, process) in running) process.Interrupt();
        foreach (var (i, process) in running)
        {
            process.WaitForExit(grace);
            board.Lines[i] = board.Lines[i] with { Phase = ArmPhase.Interrupted, Note = process.ExitCode == 130 ? "interrupted; checkpoint saved" : $"stopped (exit code {process.ExitCode})" };
        }
    }

    public void Dispose()
    {
        foreach (var (_, process) in running) process.Dispose();
        running.Clear();
    }

    private void Start((int Index, bool Resume) next)
    {
        var (i, resume) = next;
        var arm = board.Arms[i];
        cli ??= CliLocator.Dll();
        running.Add((i, new ArmProcess(arm, resume, threads, cli)));
        Started++;
        board.Lines[i] = board.Lines[i] with { Phase = ArmPhase.Training, Total = EstimatedIterations(arm.Config), Note = resume ? "resumed" : "training" };
    }

    private static string LastLine(string output)
    {
        var meaningful = output.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        return meaningful.LastOrDefault(l => l.StartsWith("error:", StringComparison.Ordinal)) ?? meaningful.LastOrDefault() ?? "(no output)";
    }

    /// <summary>Iterations of the whole run, from the dataset's training-set size, when it is a known one.</summary>
    internal static long? EstimatedIterations(PretrainConfig c)
    {
        int? full = c.Dataset switch { "fashion-mnist" => 60_000, "cifar10" or "cifar100" => 50_000, _ => null };
        if (full is null && c.TrainSubset == 0) return null;
        var images = c.TrainSubset > 0 ? Math.Min(c.TrainSubset, full ?? int.MaxValue) : full!.Value;
        long perEpoch = c.DropLast ? images / c.BatchSize : (images + c.BatchSize - 1) / c.BatchSize;
        return perEpoch * c.Epochs;
    }
}
