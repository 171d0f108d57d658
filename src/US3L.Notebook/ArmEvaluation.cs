namespace US3L.Notebook;

/// <summary>
/// The evaluation half of a grid: trained arms are evaluated per width one at a time, in this
/// process, while other arms train; each evaluated arm's <c>summary.json</c> is written.
/// </summary>
internal sealed class ArmEvaluation(GridBoard board, AblationGrid grid, EvaluationSettings settings, IReadOnlyList<double> widths, TimeSpan grace)
{
    private readonly Queue<int> waiting = new();
    private (int Index, Task<ArmSummary> Task, Counter Counter, DateTime Start)? current;

    /// <summary>Whether arms wait for or are in evaluation.</summary>
    public bool Busy => waiting.Count > 0 || current is not null;

    public void Enqueue(int i) => waiting.Enqueue(i);

    /// <summary>Reports on the running evaluation, collects it when it has ended, and starts the next one.</summary>
    public void Poll(CancellationToken ct)
    {
        if (current is { } running)
        {
            var (i, task, counter, start) = running;
            if (!task.IsCompleted)
            {
                board.Lines[i] = board.Lines[i] with { Done = counter.Done, Total = Math.Max(1, counter.Total), Seconds = (DateTime.UtcNow - start).TotalSeconds };
                return;
            }
            current = null;
            if (task.IsCanceled || task.Exception?.InnerException is OperationCanceledException) ct.ThrowIfCancellationRequested();
            if (task.Exception is { } error) board.Fail(i, $"evaluation failed: {error.InnerException?.Message ?? error.Message}");
            else
            {
                board.Summaries[i] = task.Result;
                board.Lines[i] = board.Lines[i] with
                {
                    Phase = ArmPhase.Done, Done = 0, Total = null, Seconds = task.Result.TrainSeconds,
                    Note = $"mean kNN top-1 {task.Result.MeanKnn:P1} over widths {string.Join("/", widths)}; trained in {task.Result.TrainSeconds:F0} s",
                };
            }
        }
        if (waiting.Count == 0) return;
        var next = waiting.Dequeue();
        var arm = board.Arms[next];
        var count = new Counter();
        board.Lines[next] = board.Lines[next] with { Phase = ArmPhase.Evaluating, Done = 0, Total = null, Note = "evaluating per width" };
        current = (next, Task.Run(() => Evaluate(arm, count, ct), ct), count, DateTime.UtcNow);
    }

    /// <summary>Lets a running evaluation see the cancellation and end (up to the grace time).</summary>
    public void Stop()
    {
        if (current is not { } running) return;
        try
        {
            running.Task.Wait(grace);
        }
        catch (AggregateException)
        {
            // The evaluation was cancelled or failed; the interrupt is what is reported.
        }
        board.Lines[running.Index] = board.Lines[running.Index] with { Phase = ArmPhase.Trained, Note = "trained; evaluation interrupted" };
    }

    private ArmSummary Evaluate(GridArm arm, Counter counter, CancellationToken ct)
    {
        // The arm's state is Finished, so this finds the finished run and trains nothing.
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

    private sealed class Counter
    {
        private volatile int done, total;
        public int Done { get => done; set => done = value; }
        public int Total { get => total; set => total = value; }
    }
}
