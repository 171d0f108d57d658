using US3L.Losses;
using US3L.Methods;
using US3L.Regularization;
using US3L.Slimmable;
using US3L.Teacher;
using US3L.Torch;
using US3L.Torch.nn;
using US3L.Torch.optim;

namespace US3L.Training;

/// <summary>
/// One training iteration over the sampled widths (science.md 3.4): the cross-cutting work every
/// method shares. Max-width step: EMA update (once per iteration, before the teacher forward),
/// teacher forward at its width under no_grad in train mode, base loss of the <see cref="SslMethod"/>,
/// regularizer, backward, step. Each smaller width: online forward, distillation through the
/// sub-network head against the iteration's stored targets T, regularizer, backward, step. The
/// ablation switches of <see cref="PretrainConfig"/> (target source, EMA update policy, distill loss
/// and head, distill on/off, stepping) are read here and nowhere else.
/// </summary>
internal sealed class WidthLoop : IDisposable
{
    private readonly PretrainConfig config;
    private readonly SslMethod method;
    private readonly SslNetwork network;
    private readonly EmaTeacher? teacher;
    private readonly Optimizer optimizer;
    private readonly GroupRegularizer? regularizer;
    private readonly List<Tensor> parameters;
    private readonly StepMonitor meters;
    private readonly FeatureDistillation? featureDistillation;

    public WidthLoop(PretrainConfig config, SslMethod method, SslNetwork network, EmaTeacher? teacher, Optimizer optimizer,
        GroupRegularizer? regularizer, double teacherWidth)
    {
        this.config = config;
        this.method = method;
        this.network = network;
        this.teacher = teacher;
        this.optimizer = optimizer;
        this.regularizer = regularizer;
        TeacherWidth = teacherWidth;
        parameters = network.parameters().Where(p => p.requires_grad).ToList();
        var drift = config.Distill && (config.TargetSource == TargetSource.OnlineMax || teacher is not null)
            ? new TargetDrift(config, network, teacher, teacherWidth) : null;
        meters = new StepMonitor(config, drift, parameters);
        featureDistillation = FeatureDistillation.For(config, network, teacher);
    }

    /// <summary>Whether iteration <paramref name="iteration"/> measures the monitors (collapse meters, target drift).</summary>
    public static bool Monitored(PretrainConfig config, long iteration) => StepMonitor.Monitored(config, iteration);

    /// <summary>The width the EMA teacher runs at (1.0, or the single width of an individually trained model).</summary>
    public double TeacherWidth { get; }

    /// <summary>Optimizer steps taken (n per iteration with PerWidth, 1 with Accumulate).</summary>
    public long OptimizerSteps { get; private set; }

    /// <summary>Forward passes of the teacher over a batch of two views.</summary>
    public long TeacherForwards { get; private set; }

    /// <summary>The target drift meter, which keeps the last sub-network targets before a monitored iteration; null without distillation.</summary>
    internal TargetDrift? Drift => meters.Drift;

    /// <summary>Sets the counters to a checkpoint's, so a resumed run counts on from where it stopped.</summary>
    internal void RestoreCounters(long optimizerSteps, long teacherForwards)
    {
        OptimizerSteps = optimizerSteps;
        TeacherForwards = teacherForwards;
    }

    /// <summary>Inspection hook, after each width's backward and before any step.</summary>
    public Action<WidthStepTrace>? Traced
    {
        get => meters.Traced;
        set => meters.Traced = value;
    }

    /// <summary>
    /// Runs one iteration on the views <paramref name="x"/> at <paramref name="widths"/> (descending,
    /// widths[0] plays the max role), as science.md 3.4 writes it: per width, forward; at the max
    /// width the teacher's update and targets and the method's base loss, at a smaller width the
    /// distillation loss against those targets; the regularizer; backward; the optimizer step.
    /// <paramref name="monitor"/> measures the collapse meters and target drift (<see cref="StepMonitor"/>).
    /// A NaN or infinite loss throws before its backward.
    /// </summary>
    public IReadOnlyList<WidthStepRecord> Run(ViewPair x, IReadOnlyList<double> widths, int epoch, long iteration, bool monitor)
    {
        var records = new List<WidthStepRecord>(widths.Count);
        network.train();
        using var iterationScope = torch.NewDisposeScope();
        meters.BeginIteration(iteration, monitor);
        ViewPair? targets = null;
        if (config.Stepping == Stepping.Accumulate) ZeroGrad();
        for (var j = 0; j < widths.Count; j++)
        {
            using var scope = torch.NewDisposeScope();
            var step = WidthStep.At(widths, j, config.Distill);
            meters.BeforeForward(step, x, iterationScope);
            network.SetWidth(step.Width);
            featureDistillation?.BeginStep(step.Distilled);
            var features = network.Backbone.forward(x.V1);
            var z = new ViewPair(network.Projector.forward(features), network.forward(x.V2));
            ViewPair? teacherTargets = null;
            if (step.Base) (teacherTargets, targets) = BaseTargets(x, z, iterationScope);
            var loss = step.Distilled ? SubNetworkLoss(z, targets) : BaseLoss(step, x, z, teacherTargets);
            var value = loss.item<double>();
            if (!double.IsFinite(value)) throw new NonFiniteLossException(epoch, iteration, step.Width, value, LastCheckpoint);
            var penalty = regularizer?.Penalty(step.Width);
            var accumulated = config.Stepping == Stepping.Accumulate ? SetAside() : null;
            if (config.Stepping == Stepping.PerWidth) ZeroGrad();
            (penalty is null ? loss : loss + penalty).backward();
            records.Add(meters.AfterBackward(step, network, features, z, targets, value, penalty?.item<double>() ?? 0));
            if (accumulated is null) Step();
            else AddBack(accumulated);
            if (teacher is not null && config.EmaUpdate == EmaUpdate.EveryWidth) teacher.Update();
        }
        if (config.Stepping == Stepping.Accumulate) Step();
        meters.EndIteration();
        return records;
    }

    public void Dispose()
    {
        meters.Dispose();
        featureDistillation?.Dispose();
    }

    /// <summary>
    /// A base step's targets (science.md 3.4 steps 1-2): the EMA update (once per iteration, before
    /// the teacher forward) and the teacher's outputs at its width, which the method's loss uses; and
    /// the targets T the sub-networks regress onto: the teacher's, or the online max outputs
    /// themselves (the naive design of science.md 2.1).
    /// </summary>
    private (ViewPair? Teacher, ViewPair? Targets) BaseTargets(ViewPair x, ViewPair z, DisposeScope iterationScope)
    {
        ViewPair? fromTeacher = null;
        if (teacher is not null)
        {
            if (config.EmaUpdate == EmaUpdate.OncePerIteration) teacher.Update();
            using (featureDistillation?.RecordTeacher()) fromTeacher = Keep(TeacherForward(x, TeacherWidth), iterationScope);
        }
        var targets = config.TargetSource == TargetSource.OnlineMax ? Keep(new ViewPair(z.V1.detach(), z.V2.detach()), iterationScope) : fromTeacher;
        return (fromTeacher, targets);
    }

    /// <summary>
    /// The method's own loss: at the max width against the teacher's targets; at a smaller width that
    /// is not distilled, against the teacher at that same width (science.md 3.3 row 5).
    /// </summary>
    private Tensor BaseLoss(WidthStep step, ViewPair x, ViewPair z, ViewPair? teacherTargets)
    {
        ViewPair? own = !method.UsesTeacher ? null : step.Base ? teacherTargets : TeacherForward(x, step.Width);
        var loss = method.Loss(network, z, own, config);
        if (step.Base) method.AfterBaseLoss(network, own);
        return loss;
    }

    /// <summary>The checkpoint a divergence error points to.</summary>
    public string? LastCheckpoint { get; set; }

    /// <summary>
    /// The sub-network loss: the head of guideline G3, then the criterion of G2, weighted by
    /// λ_distill, plus the feature distillation term when it is on (science.md 3.7).
    /// </summary>
    private Tensor SubNetworkLoss(ViewPair z, ViewPair? targets)
    {
        var t = targets ?? throw new InvalidOperationException("No distillation targets: the max-width step did not run.");
        var head = config.DistillHead == DistillHead.Separate ? network.AuxHead : network.Predictor;
        if (head is null) throw new InvalidOperationException($"DistillHead {config.DistillHead} needs a head the network does not have.");
        var a1 = head.forward(z.V1);
        var a2 = head.forward(z.V2);
        var loss = config.DistillLoss switch
        {
            DistillLoss.NegativeCosine => NegativeCosine.CrossView(a1, a2, t.V1, t.V2),
            DistillLoss.NtXentStudentNegatives => NtXent.Distill(a1, a2, t.V1, t.V2, config.Temperature),
            DistillLoss.InfoNce => MocoV3Loss.CrossView(a1, a2, t.V1, t.V2, config.Temperature),
            _ => throw new ArgumentOutOfRangeException(nameof(config), $"Unknown distill_loss {config.DistillLoss}."),
        };
        if (config.DistillWeight != 1.0) loss = loss * config.DistillWeight;
        return featureDistillation is null ? loss : loss + featureDistillation.Loss();
    }

    /// <summary>t^v = f_φ(x^v) under no_grad, teacher in train mode (batch statistics), at <paramref name="width"/>.</summary>
    private ViewPair TeacherForward(ViewPair x, double width)
    {
        var backbone = (Module<Tensor, Tensor>)teacher!.Part("backbone");
        var projector = (Module<Tensor, Tensor>)teacher.Part("projector");
        teacher.train();
        teacher.SetWidth(width);
        using var noGrad = torch.no_grad();
        TeacherForwards++;
        return new ViewPair(projector.forward(backbone.forward(x.V1)), projector.forward(backbone.forward(x.V2)));
    }

    private static ViewPair Keep(ViewPair pair, DisposeScope scope)
    {
        scope.MoveToOuter(pair.V1, pair.V2);
        return pair;
    }

    /// <summary>
    /// Zeroes the gradients in place, as the reference's <c>optimizer.zero_grad()</c> does under the
    /// PyTorch 1.10 it was written for (workers/ssl.py L269; set_to_none = false until PyTorch 2.0).
    /// A parameter that once had a gradient keeps a zero one, so SGD still moves it by its momentum
    /// buffer and weight decay in steps whose graph it is not part of: the max network's predictor
    /// during the sub-network steps, the auxiliary head during the max-width step (science.md 3.5).
    /// "Once had a gradient" is "has optimizer state", which a checkpoint keeps and gradients are not
    /// part of, so a resumed run gives those parameters their zero gradient back.
    /// </summary>
    private void ZeroGrad()
    {
        optimizer.zero_grad(set_to_none: false);
        foreach (var p in parameters)
        {
            if (optimizer.state_of(p) is null) continue;
            using var g = p.grad;
            if (g is null) p.grad = torch.zeros_like(p);
        }
    }

    private void Step()
    {
        optimizer.step();
        OptimizerSteps++;
    }

    /// <summary>Takes the gradients accumulated so far off the parameters, so the next backward gives this width's own gradient.</summary>
    private List<Tensor?> SetAside()
    {
        var saved = new List<Tensor?>(parameters.Count);
        foreach (var p in parameters)
        {
            saved.Add(p.grad?.detach().clone());
            p.grad = null;
        }
        return saved;
    }

    private void AddBack(List<Tensor?> saved)
    {
        using var noGrad = torch.no_grad();
        for (var i = 0; i < parameters.Count; i++)
        {
            if (saved[i] is not { } s) continue;
            using var g = parameters[i].grad;
            if (g is null) parameters[i].grad = s;
            else g.add_(s);
        }
    }
}
