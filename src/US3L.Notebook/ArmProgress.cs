namespace US3L.Notebook;

/// <summary>What an arm of a running grid is doing.</summary>
public enum ArmPhase
{
    /// <summary>Queued: waiting for a free slot.</summary>
    Waiting,
    /// <summary>A <c>us3l pretrain</c> process is training it.</summary>
    Training,
    /// <summary>Trained; waiting to be evaluated.</summary>
    Trained,
    /// <summary>Per-width evaluation is running.</summary>
    Evaluating,
    /// <summary>Evaluated; its summary is written.</summary>
    Done,
    /// <summary>Stopped by an interrupt; its checkpoint is saved (when it had started).</summary>
    Interrupted,
    /// <summary>Training or evaluation failed; <see cref="ArmProgress.Note"/> says why.</summary>
    Failed,
}

/// <summary>One arm's line in the live grid view.</summary>
/// <param name="Label">The arm's label.</param>
/// <param name="Phase">What it is doing.</param>
/// <param name="Done">Iterations done (training) or evaluation steps done.</param>
/// <param name="Total">Iterations of the whole run or evaluation steps, when known.</param>
/// <param name="Epoch">Epochs finished.</param>
/// <param name="Epochs">Epochs of the run.</param>
/// <param name="Loss">The latest loss of the largest width.</param>
/// <param name="ImagesPerSecond">The latest training throughput.</param>
/// <param name="Seconds">Seconds this call has spent on the arm.</param>
/// <param name="Note">How it started (new, resumed, skipped) or why it failed.</param>
public sealed record ArmProgress(string Label, ArmPhase Phase, long Done, long? Total, int Epoch, int Epochs,
    double? Loss, double? ImagesPerSecond, double Seconds, string? Note)
{
    /// <summary>The fraction done, when the total is known.</summary>
    public double? Fraction => Total is > 0 ? Math.Min(1.0, (double)Done / Total.Value) : null;
}
