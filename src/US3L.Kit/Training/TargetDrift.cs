using US3L.Methods;
using US3L.Slimmable;
using US3L.Teacher;
using US3L.Torch;
using US3L.Torch.nn;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Training;

/// <summary>
/// How far the sub-networks' targets moved between two consecutive sub-network steps, on the same
/// images: the mean over the rows of both views of 1 − cos(t̂_before, t̂_after) and of
/// ‖t̂_after − t̂_before‖ (t̂ the ℓ2-normalized target vectors).
/// </summary>
public sealed record TargetDriftPoint(double OneMinusCosine, double L2);

/// <summary>
/// Measures "temporally consistent guidance" (science.md 3.1, 3.2 G1): the target function the
/// sub-networks regress onto, t̂(x) = g(source(x)), is evaluated right before a sub-network
/// (distilled) step and again right before the next one, on the same images, and the two are
/// compared. The source is the EMA teacher at its width (<see cref="TargetSource.EmaTeacher"/>) or
/// the online network at the max width (<see cref="TargetSource.OnlineMax"/>); what moves it in
/// between is the optimizer steps (and the EMA updates) that happen between the two steps.
/// <para>
/// The interval ending at the first sub-network step of an iteration starts at the last
/// sub-network step of the previous iteration, so it spans that step, the EMA update and the
/// max-width step; it is measured on the previous iteration's images, which are kept for that.
/// The later intervals stay inside one iteration and use its images.
/// </para>
/// <para>
/// Measuring must not change training: forwards run under no_grad, in the mode the target forward
/// uses (train mode, batch statistics), and every buffer of the source (BN running statistics,
/// which a train-mode forward updates) is restored afterwards; no random numbers are drawn.
/// </para>
/// </summary>
internal sealed class TargetDrift : IDisposable
{
    private readonly SslNetwork network;
    private readonly EmaTeacher? teacher;
    private readonly double width;
    private readonly bool fromTeacher;
    private Kept? pending;

    public TargetDrift(PretrainConfig config, SslNetwork network, EmaTeacher? teacher, double width)
    {
        this.network = network;
        this.teacher = teacher;
        this.width = width;
        fromTeacher = config.TargetSource == TargetSource.EmaTeacher;
        if (fromTeacher && teacher is null) throw new ArgumentException("Target source EmaTeacher needs a teacher.", nameof(teacher));
    }

    /// <summary>Normalized targets on views, kept beyond the iteration's dispose scopes.</summary>
    public sealed record Kept(ViewPair Views, ViewPair Targets) : IDisposable
    {
        public void Dispose()
        {
            Views.V1.Dispose(); Views.V2.Dispose();
            Targets.V1.Dispose(); Targets.V2.Dispose();
        }
    }

    /// <summary>
    /// Hands over the targets remembered at the last sub-network step of the previous iteration (null
    /// if none), so they never outlive the iteration after it; the caller disposes them.
    /// </summary>
    public Kept? TakePending()
    {
        var kept = pending;
        pending = null;
        return kept;
    }

    /// <summary>How far the targets on the kept images moved since they were kept.</summary>
    public TargetDriftPoint Since(Kept kept)
    {
        using var scope = torch.NewDisposeScope();
        return Distance(kept.Targets, Targets(kept.Views));
    }

    /// <summary>The targets kept for the next iteration, if any (a checkpoint saves them, so a resumed run measures that iteration too).</summary>
    public Kept? Pending => pending;

    /// <summary>Keeps <paramref name="targets"/>, just computed on <paramref name="views"/>, for the first sub-network step of the next iteration.</summary>
    public void Remember(ViewPair views, ViewPair targets)
    {
        pending?.Dispose();
        pending = new Kept(Clone(views), Clone(targets));
    }

    /// <summary>t̂ on <paramref name="views"/> with the source as it is now (the caller's dispose scope owns the result).</summary>
    public ViewPair Targets(ViewPair views)
    {
        var source = fromTeacher ? (Module)teacher! : network;
        var saved = source.named_buffers().Select(b => (Live: b.Item2, Copy: b.Item2.detach().clone())).ToList();
        try
        {
            using var noGrad = torch.no_grad();
            if (fromTeacher)
            {
                var backbone = (Module<Tensor, Tensor>)teacher!.Part("backbone");
                var projector = (Module<Tensor, Tensor>)teacher.Part("projector");
                teacher.train();
                teacher.SetWidth(width);
                return Normalize(new ViewPair(projector.forward(backbone.forward(views.V1)), projector.forward(backbone.forward(views.V2))));
            }
            network.train();
            network.SetWidth(width);
            return Normalize(new ViewPair(network.forward(views.V1), network.forward(views.V2)));
        }
        finally
        {
            using var noGrad = torch.no_grad();
            foreach (var (live, copy) in saved)
            {
                live.copy_(copy);
                copy.Dispose();
            }
        }
    }

    /// <summary>Mean 1 − cos and mean ℓ2 distance between two sets of normalized targets (rows of both views).</summary>
    public static TargetDriftPoint Distance(ViewPair before, ViewPair after)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        // In float64, and 1 − cos as ‖b − a‖²/2 (equal for unit vectors): an EMA teacher moves its
        // targets by 1e-5 or less per step, where 1 − a·b in float32 would be rounding noise.
        var a = torch.cat(new[] { before.V1, before.V2 }, 0).@double();
        var b = torch.cat(new[] { after.V1, after.V2 }, 0).@double();
        var squared = (b - a).square().sum(1);
        return new TargetDriftPoint((squared / 2).mean().item<double>(), squared.sqrt().mean().item<double>());
    }

    private static ViewPair Normalize(ViewPair z) => new(F.normalize(z.V1, dim: 1), F.normalize(z.V2, dim: 1));

    private static ViewPair Clone(ViewPair p) =>
        new(p.V1.detach().clone().DetachFromDisposeScope(), p.V2.detach().clone().DetachFromDisposeScope());

    public void Dispose()
    {
        pending?.Dispose();
        pending = null;
    }
}
