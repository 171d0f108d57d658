namespace US3L.Notebook;

/// <summary>What <see cref="AblationGrid.Run"/> produced: a summary per evaluated arm and the arms that failed.</summary>
/// <param name="Grid">The grid that ran.</param>
/// <param name="Arms">Every arm, in grid order.</param>
/// <param name="Summaries">The summaries of the arms that trained and evaluated, in grid order.</param>
/// <param name="Failures">Arm label → why it failed (a diverged loss, a crashed process).</param>
/// <param name="ProcessesStarted">Training processes this call started (0 when every arm was already trained).</param>
/// <param name="Parallel">Arms trained at once.</param>
/// <param name="ThreadsPerArm">OMP_NUM_THREADS of each training process.</param>
public sealed record GridResult(AblationGrid Grid, IReadOnlyList<GridArm> Arms, IReadOnlyList<ArmSummary> Summaries,
    IReadOnlyDictionary<string, string> Failures, int ProcessesStarted, int Parallel, int ThreadsPerArm)
{
    /// <summary>One row per evaluated arm: axis values, kNN per width, mean, training time.</summary>
    public GridTable Table => new(Grid.Axes.Select(a => a.Key).ToArray(), Summaries);
}
