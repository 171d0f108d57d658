using US3L.Training;

namespace US3L.Notebook;

/// <summary>
/// Runs the arms of a grid: each untrained arm in its own <c>us3l pretrain</c> process (at most
/// <c>parallel</c> at once), each trained arm evaluated per width in this process while the others
/// train, its <c>summary.json</c> written. Finished arms are skipped (no process is started),
/// interrupted ones resume from their checkpoint, and an interrupt of this call stops every
/// process cleanly (each saves a checkpoint) before it throws <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class GridRunner
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly AblationGrid grid;
    private readonly IReadOnlyList<GridArm> arms;
    private readonly EvaluationSettings settings;
    private readonly IReadOnlyList<double> widths;
    private readonly int parallel;
    private readonly int threads;
    private readonly TimeSpan grace;
    private readonly ArmProgress[] lines;
    private readonly ArmSummary?[] summaries;
    private readonly Dictionary<string, string> failures = new();
    private readonly List<(int Index, ArmProcess Process)> running = new();
    private readonly Queue<int> toTrain = new();
    private readonly Queue<int> toEvaluate = new();
    private (int Index, Task<ArmSummary> Task, EvaluationCounter Counter, DateTime Start)? evaluation;
    private int started;

    public GridRunner(AblationGrid grid, IReadOnlyList<GridArm> arms, EvaluationSettings settings, IReadOnlyList<double> widths,
        int parallel, int threads, TimeSpan grace)
    {
        this.grid = grid;
        this.arms = arms;
        this.settings = settings;
        this.widths = widths;
        this.parallel = parallel;
        this.threads = threads;
        this.grace = grace;
        lines = new ArmProgress[arms.Count];
        summaries = new ArmSummary?[arms.Count];
    }

    public GridResult Run(IProgress<IReadOnlyList<ArmProgress>>? progress, CancellationToken ct)
    {
        // Every folder is inspected before anything starts: a folder of another config fails the whole grid up front.
        var states = arms.Select(a => a.State()).ToArray();
        var cli = states.Any(s => s != RunFolderState.Finished) ? CliLocator.Dll() : null;
        for (int i = 0; i < arms.Count; i++)
        {
            var trained = states[i] == RunFolderState.Finished;
            lines[i] = new ArmProgress(arms[i].Label, trained ? ArmPhase.Trained : ArmPhase.Waiting, 0, null, 0, arms[i].Config.Epochs,
                null, null, 0, states[i] switch
                {
                    RunFolderState.Finished => "trained earlier: not training again",
                    RunFolderState.Interrupted => "will resume from its checkpoint",
                    _ => "will train",
                });
            // Another process (a second notebook, a CLI run) trains this folder now: leave it alone.
            if (states[i] == RunFolderState.Running)
                Fail(i, $"{arms[i].RunDir} is being trained by process {RunFolder.HolderOf(arms[i].RunDir)}; run the grid again once it has stopped.");
            else (trained ? toEvaluate : toTrain).Enqueue(i);
        }
        // If this process ends while arms train (the kernel shuts down), ask them to save and stop rather than train on unwatched.
        EventHandler onExit = (_, _) =>
        {
            foreach (var (_, process) in running.ToArray())
            {
                try
                {
                    process.Interrupt();
                }
                catch (InvalidOperationException)
                {
                    // Already gone: the main loop disposed it meanwhile.
                }
            }
        };
        AppDomain.CurrentDomain.ProcessExit += onExit;
        try
        {
            while (toTrain.Count > 0 || running.Count > 0 || toEvaluate.Count > 0 || evaluation is not null)
            {
                ct.ThrowIfCancellationRequested();
                while (running.Count < parallel && toTrain.Count > 0) Start(toTrain.Dequeue(), states, cli!);
                PollTraining();
                PollEvaluation(ct);
                progress?.Report(lines.ToArray());
                if (toTrain.Count > 0 || running.Count > 0 || toEvaluate.Count > 0 || evaluation is not null) ct.WaitHandle.WaitOne(PollInterval);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Stop();
            progress?.Report(lines.ToArray());
            var saved = lines.Where(l => l.Phase == ArmPhase.Interrupted).Select(l => l.Label).ToArray();
            throw new OperationCanceledException(
                $"The grid was interrupted; {(saved.Length == 0 ? "no arm was training" : $"{string.Join(", ", saved)} saved a checkpoint")}. " +
                "Run the cell again: finished arms are skipped and interrupted ones resume.", ct);
        }
        finally
        {
            AppDomain.CurrentDomain.ProcessExit -= onExit;
            foreach (var (_, process) in running) process.Dispose();
        }
        progress?.Report(lines.ToArray());
        return new GridResult(grid, arms, summaries.Where(s => s is not null).Select(s => s!).ToArray(), failures, started, parallel, threads);
    }

    private void Start(int i, RunFolderState[] states, string cli)
    {
        var arm = arms[i];
        // A folder without a checkpoint is a start that died before saving anything: nothing to resume.
        if (states[i] == RunFolderState.Abandoned) Directory.Delete(arm.RunDir, recursive: true);
        var resume = states[i] == RunFolderState.Interrupted;
        var process = new ArmProcess(arm, resume, threads, cli);
        started++;
        running.Add((i, process));
        lines[i] = lines[i] with { Phase = ArmPhase.Training, Total = EstimatedIterations(arm.Config), Note = resume ? "resumed" : "training" };
    }

    private void PollTraining()
    {
        for (int r = running.Count - 1; r >= 0; r--)
        {
            var (i, process) = running[r];
            var arm = arms[i];
            process.Metrics.Poll();
            var epochs = arm.Config.Epochs;
            long? total = process.Metrics.LastEpoch is { } e && e.Epochs > 0 ? e.Iterations / e.Epochs * epochs : EstimatedIterations(arm.Config);
            var it = process.Metrics.LastIteration;
            lines[i] = lines[i] with
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
                lines[i] = lines[i] with { Phase = ArmPhase.Trained, Done = lines[i].Total ?? lines[i].Done, Epoch = epochs, Note = "trained" };
                toEvaluate.Enqueue(i);
            }
            else if (code == 130)
            {
                lines[i] = lines[i] with { Phase = ArmPhase.Interrupted, Note = "interrupted from outside; run again to resume" };
                failures[arm.Label] = "interrupted from outside the grid; its checkpoint is saved and the next run resumes it.";
            }
            else
            {
                Fail(i, $"us3l pretrain exited with code {code}: {LastLine(output)}");
            }
        }
    }

    private void PollEvaluation(CancellationToken ct)
    {
        if (evaluation is { } current)
        {
            var (i, task, counter, start) = current;
            if (!task.IsCompleted)
            {
                lines[i] = lines[i] with { Done = counter.Done, Total = Math.Max(1, counter.Total), Seconds = (DateTime.UtcNow - start).TotalSeconds };
                return;
            }
            evaluation = null;
            if (task.IsCanceled || task.Exception?.InnerException is OperationCanceledException) ct.ThrowIfCancellationRequested();
            if (task.Exception is { } error) Fail(i, $"evaluation failed: {error.InnerException?.Message ?? error.Message}");
            else
            {
                summaries[i] = task.Result;
                var mean = task.Result.MeanKnn;
                lines[i] = lines[i] with
                {
                    Phase = ArmPhase.Done, Done = 0, Total = null, Seconds = task.Result.TrainSeconds,
                    Note = $"mean kNN top-1 {mean:P1} over widths {string.Join("/", widths)}; trained in {task.Result.TrainSeconds:F0} s",
                };
            }
        }
        if (toEvaluate.Count == 0) return;
        var next = toEvaluate.Dequeue();
        var arm = arms[next];
        var count = new EvaluationCounter();
        lines[next] = lines[next] with { Phase = ArmPhase.Evaluating, Done = 0, Total = null, Note = "evaluating per width" };
        evaluation = (next, Task.Run(() => Evaluate(arm, count, ct), ct), count, DateTime.UtcNow);
    }

    private ArmSummary Evaluate(GridArm arm, EvaluationCounter counter, CancellationToken ct)
    {
        // The arm's state is Trained, so this finds the finished run and trains nothing.
        var run = NotebookRun.Train(arm.Label, arm.Config);
        var accuracies = WidthEvaluation.Evaluate(run, widths, settings, new CallbackProgress<(int Done, int Total)>(p =>
        {
            counter.Done = p.Done;
            counter.Total = p.Total;
        }), ct);
        var summary = new ArmSummary(arm.Label, arm.Values, arm.Config.Dataset, grid.Profile, arm.Config.Seed, accuracies.Protocol,
            accuracies.Points, run.Metrics.TrainSeconds);
        summary.Write(arm.RunDir);
        return summary;
    }

    /// <summary>Interrupts every training process, waits for their checkpoints, and lets a running evaluation see the cancellation.</summary>
    private void Stop()
    {
        foreach (var (_, process) in running) process.Interrupt();
        foreach (var (i, process) in running)
        {
            process.WaitForExit(grace);
            lines[i] = lines[i] with { Phase = ArmPhase.Interrupted, Note = process.ExitCode == 130 ? "interrupted; checkpoint saved" : $"stopped (exit code {process.ExitCode})" };
        }
        if (evaluation is { } current)
        {
            try
            {
                current.Task.Wait(grace);
            }
            catch (AggregateException)
            {
                // The evaluation was cancelled or failed; the interrupt is what is reported.
            }
            lines[current.Index] = lines[current.Index] with { Phase = ArmPhase.Trained, Note = "trained; evaluation interrupted" };
        }
    }

    private void Fail(int i, string message)
    {
        failures[arms[i].Label] = message;
        lines[i] = lines[i] with { Phase = ArmPhase.Failed, Note = message };
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

    private sealed class EvaluationCounter
    {
        private volatile int done, total;
        public int Done { get => done; set => done = value; }
        public int Total { get => total; set => total = value; }
    }
}
