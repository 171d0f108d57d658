using US3L.Methods;

namespace US3L.Training;

/// <summary>What one width step of an iteration did (a per-width row of the metrics log).</summary>
/// <param name="Width">The width the online network ran at.</param>
/// <param name="Distilled">True for a sub-network distillation step, false for a base-loss step.</param>
/// <param name="Loss">The loss without the regularizer.</param>
/// <param name="Regularization">R_group at this width (0 without group regularization).</param>
/// <param name="GradNorm">‖∇θ‖ of this width's own gradient (also under <see cref="Stepping.Accumulate"/>).</param>
/// <param name="Collapse">The collapse meters of this width's projector outputs, when monitored.</param>
/// <param name="BackboneCollapse">The collapse meters of this width's pooled backbone features f^w(x), when monitored.</param>
/// <param name="TargetDrift">For a monitored sub-network step: how far its targets moved since the previous sub-network step
/// (null otherwise, or when no earlier sub-network step was measured, e.g. right after a resume).</param>
public sealed record WidthStepRecord(double Width, bool Distilled, double Loss, double Regularization, double GradNorm,
    Evaluation.CollapseStats? Collapse, Evaluation.CollapseStats? BackboneCollapse, TargetDriftPoint? TargetDrift = null);

/// <summary>
/// A look inside one width step, after its backward and before the optimizer step (for tests and
/// notebooks that inspect gradients or targets). The tensors belong to the step and are freed after
/// the callback; clone what must outlive it.
/// </summary>
/// <param name="Index">j, the position of the width in the iteration (0 = the max-width step).</param>
/// <param name="Width">The width.</param>
/// <param name="Distilled">Whether the step was a distillation step.</param>
/// <param name="Network">The online network; its parameters hold this width's own gradient.</param>
/// <param name="Online">The online projector outputs of the two views at this width.</param>
/// <param name="Targets">The targets T the sub-networks regress onto in this iteration (null before any exist).</param>
internal sealed record WidthStepTrace(int Index, double Width, bool Distilled, SslNetwork Network, ViewPair Online, ViewPair? Targets);
