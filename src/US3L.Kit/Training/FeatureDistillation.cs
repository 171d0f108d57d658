using US3L.Heads;
using US3L.Losses;
using US3L.Methods;
using US3L.Models;
using US3L.Teacher;
using US3L.Torch;

namespace US3L.Training;

/// <summary>
/// Feature distillation in the width loop (science.md 3.7; workers/ssl.py L217-257 with
/// DISTILL_FEATURE). The max-width step's teacher forward also yields the EMA teacher's feature maps
/// at the configured layers (width 1.0, after the EMA update, both views), kept for the iteration.
/// Each distilled sub-network step taps the same layers in its own two online forwards, passes them
/// through the <see cref="FeatureAdapters"/> and adds
/// feature_distill_weight · <see cref="FeatureMse.CrossView"/> to its loss. Nothing is added in the
/// max-width step, and no forward pass is added anywhere.
/// </summary>
internal sealed class FeatureDistillation : IDisposable
{
    private readonly FeatureTap studentTap;
    private readonly FeatureTap teacherTap;
    private readonly FeatureAdapters adapters;
    private readonly double weight;
    private IReadOnlyList<Tensor[]>? teacherFeatures;

    private FeatureDistillation(FeatureAdapters adapters, SlimmableNetwork online, SlimmableNetwork teacher, double weight)
    {
        this.adapters = adapters;
        this.weight = weight;
        studentTap = new FeatureTap(online, adapters.Layers);
        teacherTap = new FeatureTap(teacher, adapters.Layers);
    }

    /// <summary>The feature distillation of <paramref name="config"/>, or null when feature_distill is off.</summary>
    public static FeatureDistillation? For(PretrainConfig config, SslNetwork network, EmaTeacher? teacher)
    {
        if (!config.FeatureDistill) return null;
        var adapters = network.FeatureAdapters
            ?? throw new InvalidOperationException("feature_distill is on, but the network was built without its adapters (proj_conv).");
        if (teacher is null) throw new InvalidOperationException("feature_distill needs the EMA teacher (target_source ema_teacher).");
        return new FeatureDistillation(adapters, network.Backbone, (SlimmableNetwork)teacher.Part("backbone"), config.FeatureDistillWeight);
    }

    /// <summary>
    /// Taps the teacher during the forward pass(es) the returned scope encloses (the max-width step's
    /// teacher forward over both views); when it ends, their features replace the previous ones.
    /// </summary>
    public IDisposable RecordTeacher()
    {
        teacherTap.Start();
        return new Finish(() =>
        {
            var recorded = teacherTap.Stop();
            Free(teacherFeatures);
            teacherFeatures = recorded;
        });
    }

    /// <summary>Before a step's online forwards: taps them when the step is <paramref name="distilled"/>, otherwise nothing.</summary>
    public void BeginStep(bool distilled)
    {
        if (distilled) studentTap.Start();
        else studentTap.Discard();
    }

    /// <summary>
    /// The weighted feature loss of a distilled step, after its two online forwards (view 1, then view
    /// 2) at the width the network and its adapters are set to.
    /// </summary>
    public Tensor Loss()
    {
        var student = studentTap.Stop();
        try
        {
            if (teacherFeatures is not { Count: 2 } teacher)
                throw new InvalidOperationException("Feature distillation has no teacher features: the max-width step did not run the teacher on two views.");
            if (student.Count != 2)
                throw new InvalidOperationException($"Feature distillation expects the step's two online forwards, but the tapped layers ran {student.Count} times.");
            using var scope = torch.NewDisposeScope();
            var adapted = student.Select(view => (IReadOnlyList<Tensor>)adapters.Adapt(view)).ToArray();
            var loss = FeatureMse.CrossView(adapted, teacher);
            return scope.MoveToOuter(weight == 1.0 ? loss : loss * weight);
        }
        finally
        {
            Free(student);
        }
    }

    public void Dispose()
    {
        studentTap.Dispose();
        teacherTap.Dispose();
        Free(teacherFeatures);
        teacherFeatures = null;
    }

    private static void Free(IReadOnlyList<Tensor[]>? features)
    {
        if (features is null) return;
        foreach (var view in features)
            foreach (var t in view) t.Dispose();
    }

    private sealed class Finish(Action action) : IDisposable
    {
        private Action? pending = action;

        public void Dispose()
        {
            pending?.Invoke();
            pending = null;
        }
    }
}
