using US3L.Evaluation;
using US3L.Methods;
using US3L.Torch;

namespace US3L.Training;

/// <summary>
/// What the width loop measures besides training, called at two named points of every step:
/// <see cref="BeforeForward"/> (the target drift, science.md 3.1, needs the targets before the step
/// changes anything) and <see cref="AfterBackward"/> (the gradient norm, the collapse meters of
/// science.md 2.2 and the inspection hook, with this width's own gradient in place). It keeps the
/// loop itself to the method's steps.
/// </summary>
internal sealed class StepMonitor(PretrainConfig config, TargetDrift? drift, IReadOnlyList<Tensor> parameters) : IDisposable
{
    private TargetDrift.Kept? arriving;
    private ViewPair? previousTargets;
    private TargetDriftPoint? stepDrift;
    private bool monitored, rememberForNext;

    /// <summary>The target drift meter, which keeps the last sub-network targets before a monitored iteration; null without distillation.</summary>
    public TargetDrift? Drift => drift;

    /// <summary>Inspection hook, after each width's backward and before any step.</summary>
    public Action<WidthStepTrace>? Traced { get; set; }

    /// <summary>Whether iteration <paramref name="iteration"/> measures the monitors (collapse meters, target drift).</summary>
    public static bool Monitored(PretrainConfig config, long iteration) => config.MonitorEvery > 0 && iteration % config.MonitorEvery == 0;

    /// <summary>Starts an iteration: takes the targets the previous iteration kept, and notes whether this one or the next is monitored.</summary>
    public void BeginIteration(long iteration, bool monitor)
    {
        arriving?.Dispose();
        arriving = drift?.TakePending();
        previousTargets = null;
        monitored = monitor;
        // The next iteration needs this one's last sub-network targets only around monitored iterations: it costs forwards.
        rememberForNext = Monitored(config, iteration + 1);
    }

    /// <summary>
    /// Before a distilled step's forward, so the targets are exactly what the previous steps left:
    /// measures how far they moved since the previous sub-network step (or the previous iteration's last).
    /// </summary>
    public void BeforeForward(WidthStep step, ViewPair x, DisposeScope iterationScope)
    {
        stepDrift = null;
        if (!step.Distilled || drift is null || !(monitored || (rememberForNext && step.Last))) return;
        var now = drift.Targets(x);
        if (monitored)
            stepDrift = previousTargets is { } before ? TargetDrift.Distance(before, now) : arriving is null ? null : drift.Since(arriving);
        iterationScope.MoveToOuter(now.V1, now.V2);
        previousTargets = now;
        if (rememberForNext && step.Last) drift.Remember(x, now);
    }

    /// <summary>After the step's backward: its record, with the gradient norm and, when monitored, the collapse meters.</summary>
    public WidthStepRecord AfterBackward(WidthStep step, SslNetwork network, Tensor features, ViewPair z, ViewPair? targets, double loss, double regularization)
    {
        var norm = GradNorm();
        var measured = monitored && z.V1.size(0) >= 2;
        // The backbone features are measured too: the representation is what collapses (science.md 2.2),
        // and a projector ending in an affine-free BN (SimSiam) keeps its outputs spread whatever the backbone does.
        var collapse = measured ? CollapseMeter.Measure(z.V1) : null;
        var backboneCollapse = measured ? CollapseMeter.Measure(features) : null;
        Traced?.Invoke(new WidthStepTrace(step.Index, step.Width, step.Distilled, network, z, targets));
        return new WidthStepRecord(step.Width, step.Distilled, loss, regularization, norm, collapse, backboneCollapse, stepDrift);
    }

    /// <summary>Ends an iteration: frees the targets kept for it.</summary>
    public void EndIteration()
    {
        arriving?.Dispose();
        arriving = null;
    }

    private double GradNorm()
    {
        using var scope = torch.NewDisposeScope();
        var squares = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!.square().sum(dtype: ScalarType.Float64)).ToList();
        return squares.Count == 0 ? 0 : Math.Sqrt(torch.stack(squares).sum().item<double>());
    }

    public void Dispose()
    {
        EndIteration();
        drift?.Dispose();
    }
}
