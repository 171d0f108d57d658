using US3L.Training;

namespace US3L.Notebook;

/// <summary>
/// Runs the arms of a grid: each untrained arm in its own <c>us3l pretrain</c> process
/// (<see cref="ArmTraining"/>), each trained arm evaluated per width in this process while the others
/// train (<see cref="ArmEvaluation"/>). Finished arms are skipped (no process is started),
/// interrupted ones resume from their checkpoint, and an interrupt of this call stops every
/// process cleanly (each saves a checkpoint) before it throws <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class GridRunner(AblationGrid grid, IReadOnlyList<GridArm> arms, EvaluationSettings settings, IReadOnlyList<double> widths,
    int parallel, int threads, TimeSpan grace)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public GridResult Run(IProgress<IReadOnlyList<ArmProgress>>? progress, CancellationToken ct)
    {
        var board = new GridBoard(arms);
        var evaluation = new ArmEvaluation(board, grid, settings, widths, grace);
        using var training = new ArmTraining(board, parallel, threads, grace) { Trained = evaluation.Enqueue };
        // Every folder is inspected before anything starts: a folder of another config fails the whole grid up front.
        var states = arms.Select(a => a.State()).ToArray();
        for (int i = 0; i < arms.Count; i++)
        {
            board.Lines[i] = new ArmProgress(arms[i].Label, states[i] == RunFolderState.Finished ? ArmPhase.Trained : ArmPhase.Waiting, 0, null, 0,
                arms[i].Config.Epochs, null, null, 0, states[i] switch
                {
                    RunFolderState.Finished => "trained earlier: not training again",
                    RunFolderState.Interrupted => "will resume from its checkpoint",
                    _ => "will train",
                });
            switch (states[i])
            {
                case RunFolderState.Finished:
                    evaluation.Enqueue(i);
                    break;
                case RunFolderState.Running:
                    // Another process (a second notebook, a CLI run) trains this folder now: leave it alone.
                    board.Fail(i, $"{arms[i].RunDir} is being trained by process {RunFolder.HolderOf(arms[i].RunDir)}; run the grid again once it has stopped.");
                    break;
                default:
                    training.Enqueue(i, states[i]);
                    break;
            }
        }
        // If this process ends while arms train (the kernel shuts down), ask them to save and stop rather than train on unwatched.
        EventHandler onExit = (_, _) => training.InterruptAll();
        AppDomain.CurrentDomain.ProcessExit += onExit;
        try
        {
            while (training.Busy || evaluation.Busy)
            {
                ct.ThrowIfCancellationRequested();
                training.Poll();
                evaluation.Poll(ct);
                progress?.Report(board.Lines.ToArray());
                if (training.Busy || evaluation.Busy) ct.WaitHandle.WaitOne(PollInterval);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            training.Stop();
            evaluation.Stop();
            progress?.Report(board.Lines.ToArray());
            var saved = board.Lines.Where(l => l.Phase == ArmPhase.Interrupted).Select(l => l.Label).ToArray();
            throw new OperationCanceledException(
                $"The grid was interrupted; {(saved.Length == 0 ? "no arm was training" : $"{string.Join(", ", saved)} saved a checkpoint")}. " +
                "Run the cell again: finished arms are skipped and interrupted ones resume.", ct);
        }
        finally
        {
            AppDomain.CurrentDomain.ProcessExit -= onExit;
        }
        progress?.Report(board.Lines.ToArray());
        return new GridResult(grid, arms, board.Summaries.Where(s => s is not null).Select(s => s!).ToArray(), board.Failures, training.Started, parallel, threads);
    }
}
