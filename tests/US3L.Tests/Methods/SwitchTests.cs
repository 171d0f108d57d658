using US3L.Methods;
using US3L.Sampling;
using US3L.Tests.Training;
using US3L.Torch;
using US3L.Training;

namespace US3L.Tests.Methods;

/// <summary>Each ablation switch of PretrainConfig does what science.md 3.2-3.4 says.</summary>
public class SwitchTests
{
    private static PretrainConfig Tiny => TinyRuns.Config with { Epochs = 1, TrainSubset = 64 };

    /// <summary>Trains <paramref name="config"/> with a trace hook; returns the run (disposed by the caller).</summary>
    private static Pretrainer Run(PretrainConfig config, Action<WidthStepTrace, Pretrainer>? trace = null)
    {
        var run = Pretrainer.Start(config, TinyRuns.NewDir());
        if (trace is not null) run.Setup.Loop.Traced = t => trace(t, run);
        run.Train();
        return run;
    }

    [Theory]
    [InlineData(EmaUpdate.OncePerIteration, 1)]
    [InlineData(EmaUpdate.EveryWidth, 3)]
    public void EmaUpdatesPerIteration(EmaUpdate policy, int perIteration)
    {
        using var run = Run(Tiny with { EmaUpdate = policy });
        Assert.Equal(2 * perIteration, run.Setup.Teacher!.NumUpdates);
    }

    [Fact]
    public void EveryMaxWidthStepOfAReferenceSandwichIsABaseStepThatUpdatesTheTeacherAndRenewsTheTargets()
    {
        // n = 4 in the reference's loop trains [1, 1, u1, u2, min, min]: two base steps per iteration.
        var bases = new List<bool>();
        var targets = new List<Tensor>();
        using var run = Run(Tiny with { Sampler = SamplerKind.SandwichReference, NumWidths = 4 }, (t, r) =>
        {
            bases.Add(!t.Distilled);
            if (t.Index < 2) targets.Add(t.Targets!.Value.V1.detach().clone().DetachFromDisposeScope());
        });
        Assert.Equal(12, bases.Count);
        Assert.Equal(new[] { true, true, false, false, false, false }, bases.Take(6));
        Assert.Equal(4, run.Setup.Teacher!.NumUpdates);
        // The second base step ran the teacher again after the first step moved θ and φ.
        using (var scope = torch.NewDisposeScope())
            Assert.True((targets[0] - targets[1]).abs().max().item<float>() > 0, "the second max step must renew the targets");
        foreach (var t in targets) t.Dispose();
    }

    [Theory]
    [InlineData(LrSchedule.Cosine, 0.05, 0.025)]
    [InlineData(LrSchedule.Constant, 0.05, 0.05)]
    public void TheLearningRateScheduleSetsEachEpochsRate(LrSchedule schedule, double first, double second)
    {
        using var run = Run(Tiny with { Epochs = 2, Lr = 0.05, LrSchedule = schedule });
        var rates = TinyRuns.Iterations(run.RunDir).GroupBy(l => l.GetProperty("epoch").GetInt32())
            .Select(g => g.Select(l => l.GetProperty("lr").GetDouble()).Distinct().Single()).ToArray();
        Assert.Equal(new[] { first, second }, rates, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Theory]
    [InlineData(Stepping.PerWidth, 3)]
    [InlineData(Stepping.Accumulate, 1)]
    public void OptimizerStepsPerIteration(Stepping stepping, int perIteration)
    {
        using var run = Run(Tiny with { Stepping = stepping });
        Assert.Equal(2 * perIteration, run.Setup.Loop.OptimizerSteps);
    }

    [Fact]
    public void AccumulateStepsOnceWithTheSumOfThePerWidthGradients()
    {
        // SGD's first step with no weight decay moves p by −lr·g, so after one iteration the change is −lr·Σ_w g_w.
        var config = Tiny with { Stepping = Stepping.Accumulate, TrainSubset = 32, WeightDecay = 0, Lr = 0.1 };
        var run = Pretrainer.Start(config, TinyRuns.NewDir());
        using var _ = run;
        var p = run.Network.Backbone.parameters().First();
        var before = p.detach().clone().DetachFromDisposeScope();
        Tensor? sum = null;
        run.Setup.Loop.Traced = t =>
        {
            using var g = p.grad!;
            var own = g.detach().clone().DetachFromDisposeScope();
            if (sum is null) sum = own;
            else { sum.add_(own); own.Dispose(); }
        };
        run.Train();
        using var scope = torch.NewDisposeScope();
        var expected = before - sum! * config.Lr;
        Assert.True((p - expected).abs().max().item<float>() < 1e-6);
        Assert.Equal(1, run.Setup.Loop.OptimizerSteps);
    }

    [Theory]
    [InlineData(DistillHead.Separate)]
    [InlineData(DistillHead.Shared)]
    public void OnlyTheChosenHeadGetsGradientFromASubWidthStep(DistillHead head)
    {
        var checkedSteps = 0;
        using var run = Run(Tiny with { DistillHead = head }, (t, r) =>
        {
            if (t.Index == 0) return;
            var predictor = HasGrad(r.Network.Predictor!);
            var aux = r.Network.AuxHead is { } a && HasGrad(a);
            Assert.Equal(head == DistillHead.Shared, predictor);
            Assert.Equal(head == DistillHead.Separate, aux);
            checkedSteps++;
        });
        Assert.Equal(head == DistillHead.Separate, run.Network.AuxHead is not null);
        Assert.Equal(4, checkedSteps);
    }

    [Theory]
    [InlineData(TargetSource.OnlineMax)]
    [InlineData(TargetSource.EmaTeacher)]
    public void TargetsAreTheOnlineMaxOutputOrTheTeachers(TargetSource source)
    {
        var checkedSteps = 0;
        using var run = Run(Tiny with { TargetSource = source }, (t, r) =>
        {
            // From the second iteration on the teacher lags the online network.
            if (t.Index != 0 || r.Setup.Teacher!.NumUpdates < 2) return;
            using var scope = torch.NewDisposeScope();
            var same = (t.Targets!.Value.V1 - t.Online.V1).abs().max().item<float>() < 1e-6;
            Assert.Equal(source == TargetSource.OnlineMax, same);
            checkedSteps++;
        });
        Assert.Equal(1, checkedSteps);
    }

    [Fact]
    public void EmaMomentumZeroMakesTheTeacherEqualTheOnlineNetwork()
    {
        using var run = Run(Tiny with { EmaMomentum = 0, EmaUpdate = EmaUpdate.EveryWidth });
        using var scope = torch.NewDisposeScope();
        var teacher = run.Setup.Teacher!.Part("backbone").state_dict();
        foreach (var (k, v) in run.Network.Backbone.state_dict())
            Assert.True((v - teacher[k]).abs().max().item<float>() == 0, k);
    }

    [Fact]
    public void DistillLossPicksTheCriterionOfTheSubWidthsOnly()
    {
        List<double[]> Losses(DistillLoss loss)
        {
            using var run = Run(Tiny with { DistillLoss = loss });
            return TinyRuns.Iterations(run.RunDir).Select(i => TinyRuns.Doubles(i, "loss")).ToList();
        }
        var cosine = Losses(DistillLoss.NegativeCosine);
        var ntXent = Losses(DistillLoss.NtXentStudentNegatives);
        // The first step, at width 1.0, is the base loss against the teacher: the distillation criterion does not enter it.
        Assert.Equal(cosine[0][0], ntXent[0][0], 6);
        // −cos lies in [−1, 1]; NT-Xent is a cross entropy over 2B − 1 candidates, near log(2B − 1) at the start.
        Assert.All(cosine.SelectMany(l => l.Skip(1)), v => Assert.InRange(v, -1, 1));
        Assert.All(ntXent.SelectMany(l => l.Skip(1)), v => Assert.True(v > 1.5, $"NT-Xent sub-width loss {v}"));
    }

    [Fact]
    public void DistillFalseTrainsEveryWidthWithItsOwnBaseLossAgainstTheTeacherAtThatWidth()
    {
        var roles = new List<bool>();
        using var run = Run(Tiny with { Distill = false }, (t, _) => roles.Add(t.Distilled));
        Assert.All(roles, d => Assert.False(d));
        Assert.Equal(2 * 3, run.Setup.Loop.TeacherForwards);
        Assert.Null(run.Network.AuxHead);
    }

    [Fact]
    public void GroupRegularizationReplacesWeightDecay()
    {
        using (var plain = Run(Tiny))
        {
            Assert.Equal(Tiny.WeightDecay, plain.Setup.Optimizer.param_groups[0]["weight_decay"]);
            Assert.All(TinyRuns.Iterations(plain.RunDir).SelectMany(i => TinyRuns.Doubles(i, "reg")), r => Assert.Equal(0, r));
        }
        using var grouped = Run(Tiny with { GroupReg = true });
        Assert.Equal(0, grouped.Setup.Optimizer.param_groups[0]["weight_decay"]);
        Assert.All(TinyRuns.Iterations(grouped.RunDir).SelectMany(i => TinyRuns.Doubles(i, "reg")), r => Assert.True(r > 0));
    }

    [Fact]
    public void LoggedWidthsMatchTheSampler()
    {
        var config = Tiny with { Sampler = SamplerKind.Uniform, Epochs = 2 };
        using var run = Run(config);
        var sampler = new WidthSampler(new UniformSampling(3, 0.25, 1.0), config.Seed);
        var lines = TinyRuns.Iterations(run.RunDir);
        Assert.Equal(4, lines.Count);
        foreach (var line in lines)
            Assert.Equal(sampler.Next(line.GetProperty("epoch").GetInt32()).Widths.ToArray(), TinyRuns.Doubles(line, "widths"));
    }

    [Fact]
    public void NaiveAdaptationIsAConfigWithoutTeacherOrAuxiliaryHead()
    {
        using var run = Run(Designs.Get("naive-us-simsiam", Tiny));
        Assert.Null(run.Setup.Teacher);
        Assert.Null(run.Network.AuxHead);
        Assert.NotNull(run.Network.Predictor);
    }

    [Theory]
    [InlineData("individual-byol")]
    [InlineData("individual-simsiam")]
    [InlineData("individual-simclr")]
    [InlineData("individual-mocov2")]
    [InlineData("us3l-simclr")]
    [InlineData("us3l-mocov3")]
    public void PresetsTrain(string preset)
    {
        var config = Designs.Get(preset, Tiny with { FixedWidths = new[] { 0.5 } }) with { QueueSize = 64 };
        using var run = Run(config);
        var lines = TinyRuns.Iterations(run.RunDir);
        Assert.Equal(2, lines.Count);
        // One finite loss per trained width: a width whose step was skipped or diverged shows here.
        Assert.All(lines, l => Assert.Equal(TinyRuns.Doubles(l, "widths").Length, TinyRuns.Doubles(l, "loss").Count(double.IsFinite)));
        if (preset.StartsWith("individual")) Assert.All(lines, l => Assert.Equal(new[] { 0.5 }, TinyRuns.Doubles(l, "widths")));
    }

    private static bool HasGrad(US3L.Torch.nn.Module module)
    {
        using var scope = torch.NewDisposeScope();
        return module.parameters().Any(p => p.grad is { } g && g.abs().sum().item<float>() > 0);
    }
}
