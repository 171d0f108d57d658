using US3L.Evaluation;
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
    private readonly TargetDrift? drift;
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
        if (config.Distill && (config.TargetSource == TargetSource.OnlineMax || teacher is not null))
            drift = new TargetDrift(config, network, teacher, teacherWidth);
        featureDistillation = FeatureDistillation.For(config, network, teacher);
    }

    /// <summary>Whether iteration <paramref name="iteration"/> measures the monitors (collapse meters, target drift).</summary>
    public static bool Monitored(PretrainConfig config, long iteration) => config.MonitorEvery > 0 && iteration % config.MonitorEvery == 0;

    /// <summary>The width the EMA teacher runs at (1.0, or the single width of an individually trained model).</summary>
    public double TeacherWidth { get; }

    /// <summary>Optimizer steps taken (n per iteration with PerWidth, 1 with Accumulate).</summary>
    public long OptimizerSteps { get; private set; }

    /// <summary>Forward passes of the teacher over a batch of two views.</summary>
    public long TeacherForwards { get; private set; }

    /// <summary>The target drift meter, which keeps the last sub-network targets before a monitored iteration; null without distillation.</summary>
    internal TargetDrift? Drift => drift;

    /// <summary>Sets the counters to a checkpoint's, so a resumed run counts on from where it stopped.</summary>
    internal void RestoreCounters(long optimizerSteps, long teacherForwards)
    {
        OptimizerSteps = optimizerSteps;
        TeacherForwards = teacherForwards;
    }

    /// <summary>Inspection hook, after each width's backward and before any step.</summary>
    public Action<WidthStepTrace>? Traced { get; set; }

    /// <summary>
    /// Runs one iteration on the views <paramref name="x"/> at <paramref name="widths"/> (descending,
    /// widths[0] plays the max role). <paramref name="monitor"/> measures the collapse meters of each
    /// width's projector outputs and pooled backbone features (view 1) and the target drift of each
    /// sub-network step (<see cref="TargetDrift"/>). A NaN or infinite loss throws before its backward.
    /// </summary>
    public IReadOnlyList<WidthStepRecord> Run(ViewPair x, IReadOnlyList<double> widths, int epoch, long iteration, bool monitor)
    {
        var records = new List<WidthStepRecord>(widths.Count);
        network.train();
        using var iterationScope = torch.NewDisposeScope();
        ViewPair? targets = null;
        if (config.Stepping == Stepping.Accumulate) ZeroGrad();
        List<Tensor?>? accumulated = null;
        // Target drift: the targets kept at the last sub-network step of the previous iteration, the
        // targets before the previous sub-network step of this one, and whether the next iteration
        // needs this one's last sub-network targets (only around monitored iterations: it costs forwards).
        using var arriving = drift?.TakePending();
        ViewPair? previousTargets = null;
        var rememberForNext = Monitored(config, iteration + 1);
        for (var j = 0; j < widths.Count; j++)
        {
            var w = widths[j];
            using var scope = torch.NewDisposeScope();
            // Every step at the max width is a base step, as in the reference (`width_mult == max_width`
            // in workers/ssl.py): a sampler that repeats the max width (ReferenceSandwichSampling)
            // updates the teacher and renews the targets at each of them.
            var baseStep = j == 0 || w == widths[0];
            var distilled = !baseStep && config.Distill;
            TargetDriftPoint? stepDrift = null;
            var lastStep = j == widths.Count - 1;
            if (distilled && drift is not null && (monitor || (rememberForNext && lastStep)))
            {
                // Before this step's forward, so the source is exactly what the previous steps left.
                var now = drift.Targets(x);
                if (monitor)
                    stepDrift = previousTargets is { } before ? TargetDrift.Distance(before, now) : arriving is null ? null : drift.Since(arriving);
                previousTargets = Keep(now, iterationScope);
                if (rememberForNext && lastStep) drift.Remember(x, now);
            }
            network.SetWidth(w);
            featureDistillation?.BeginStep(distilled);
            // The backbone features of view 1 are kept for the collapse meters: the representation is
            // what collapses (science.md 2.2), and a projector ending in an affine-free BN (SimSiam)
            // keeps its outputs spread whatever the backbone does.
            var features = network.Backbone.forward(x.V1);
            var z = new ViewPair(network.Projector.forward(features), network.forward(x.V2));
            Tensor loss;
            if (!distilled)
            {
                ViewPair? own = null;
                if (baseStep)
                {
                    if (teacher is not null)
                    {
                        if (config.EmaUpdate == EmaUpdate.OncePerIteration) teacher.Update();
                        using (featureDistillation?.RecordTeacher()) targets = Keep(TeacherForward(x, TeacherWidth), iterationScope);
                    }
                    if (method.UsesTeacher) own = targets;
                    if (config.TargetSource == TargetSource.OnlineMax)
                        targets = Keep(new ViewPair(z.V1.detach(), z.V2.detach()), iterationScope);
                }
                else if (method.UsesTeacher)
                    own = TeacherForward(x, w); // science.md 3.3 row 5: the teacher at the same width
                loss = method.Loss(network, z, own, config);
                if (baseStep) method.AfterBaseLoss(network, own);
            }
            else
            {
                loss = Distill(z, targets ?? throw new InvalidOperationException("No distillation targets: the max-width step did not run."));
                if (featureDistillation is not null) loss = loss + featureDistillation.Loss();
            }

            var value = loss.item<double>();
            if (!double.IsFinite(value)) throw new NonFiniteLossException(epoch, iteration, w, value, LastCheckpoint);
            var reg = 0.0;
            if (regularizer is not null)
            {
                var penalty = regularizer.Penalty(w);
                reg = penalty.item<double>();
                loss = loss + penalty;
            }

            if (config.Stepping == Stepping.PerWidth) ZeroGrad();
            else accumulated = SetAside();
            loss.backward();
            var norm = GradNorm();
            var measured = monitor && z.V1.size(0) >= 2;
            var collapse = measured ? CollapseMeter.Measure(z.V1) : null;
            var backboneCollapse = measured ? CollapseMeter.Measure(features) : null;
            Traced?.Invoke(new WidthStepTrace(j, w, distilled, network, z, targets));
            records.Add(new WidthStepRecord(w, distilled, value, reg, norm, collapse, backboneCollapse, stepDrift));

            if (config.Stepping == Stepping.PerWidth) Step();
            else AddBack(accumulated!);
            if (teacher is not null && config.EmaUpdate == EmaUpdate.EveryWidth) teacher.Update();
        }
        if (config.Stepping == Stepping.Accumulate) Step();
        return records;
    }

    public void Dispose()
    {
        drift?.Dispose();
        featureDistillation?.Dispose();
    }

    /// <summary>The checkpoint a divergence error points to.</summary>
    public string? LastCheckpoint { get; set; }

    /// <summary>The sub-network loss: the head of guideline G3, then the criterion of G2, weighted by λ_distill.</summary>
    private Tensor Distill(ViewPair z, ViewPair t)
    {
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
        return config.DistillWeight == 1.0 ? loss : loss * config.DistillWeight;
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

    private double GradNorm()
    {
        using var scope = torch.NewDisposeScope();
        var squares = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!.square().sum(dtype: ScalarType.Float64)).ToList();
        return squares.Count == 0 ? 0 : Math.Sqrt(torch.stack(squares).sum().item<double>());
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
