using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Teacher;

/// <summary>One part of the online network that the teacher mirrors, e.g. ("backbone", online backbone, teacher backbone).</summary>
/// <param name="Name">The name of the teacher part in the teacher's state_dict.</param>
/// <param name="Online">The online module θ (trained).</param>
/// <param name="Teacher">A second instance of the same architecture, φ; the <see cref="EmaTeacher"/> takes ownership.</param>
public sealed record EmaPart(string Name, Module Online, Module Teacher);

/// <summary>
/// The momentum ("EMA") teacher φ of guideline G1 (science.md 3.2 G1, 3.4 step 1, 9 item 13).
/// <para>
/// The caller builds the teacher as a second instance of the online architecture, part by part
/// (backbone and projector; never the predictor or auxiliary head). At construction every teacher
/// parameter and buffer becomes an exact copy of the online one (a deep copy), and the teacher's
/// parameters stop requiring grad: give only the online parameters to the optimizer and the
/// regularizer. <see cref="Update()"/> applies φ ← m·φ + (1 − m)·θ to parameters only; BN buffers
/// keep their own values, since the teacher runs with batch statistics during SSL.
/// </para>
/// <para>
/// Call it once per iteration, before the teacher forward of the max-width step (the code's
/// MOMENTUM_UPDATE = false); updating at every width step makes the teacher absorb the students'
/// pulls. The teacher is a <see cref="Module"/>: its state_dict holds the teacher parts under
/// their names and the update count <c>num_updates</c>, so a resumed run continues the momentum
/// schedule exactly. Disposing it disposes the teacher modules.
/// </para>
/// </summary>
public sealed class EmaTeacher : Module
{
    private readonly List<(string Name, Tensor Online, Tensor Teacher)> pairs = new();
    private readonly Tensor numUpdates;
    private Tensor? lastDriftSquared;
    private double lastMomentum = double.NaN;

    public EmaTeacher(EmaMomentum momentum, params EmaPart[] parts) : base("EmaTeacher")
    {
        Momentum = momentum ?? throw new ArgumentNullException(nameof(momentum));
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Length == 0) throw new ArgumentException("EmaTeacher needs at least one part (backbone, projector).", nameof(parts));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var part in parts)
        {
            if (ReferenceEquals(part.Online, part.Teacher))
                throw new ArgumentException($"EmaTeacher part '{part.Name}': the teacher must be a separate instance, not the online module itself.");
            var onlineParameters = Pair(part, part.Online.named_parameters(), part.Teacher.named_parameters(), "parameter");
            var onlineBuffers = Pair(part, part.Online.named_buffers(), part.Teacher.named_buffers(), "buffer");
            foreach (var (name, online, teacher) in onlineParameters.Concat(onlineBuffers)) teacher.copy_(online);
            foreach (var (name, online, teacher) in onlineParameters)
            {
                teacher.requires_grad_(false);
                pairs.Add((name, online, teacher));
            }
            register_module(part.Name, part.Teacher);
        }
        numUpdates = register_buffer("num_updates", torch.zeros(Array.Empty<long>(), torch.int64));
    }

    /// <summary>The momentum schedule.</summary>
    public EmaMomentum Momentum { get; }

    /// <summary>Whether <see cref="Update()"/> measures ‖φ_t − φ_{t−1}‖ (an extra subtraction and sum per parameter). On by default.</summary>
    public bool TrackDrift { get; set; } = true;

    /// <summary>Updates made so far (restored with the state_dict).</summary>
    public long NumUpdates => numUpdates.item<long>();

    /// <summary>The momentum of the last update, NaN before the first.</summary>
    public double LastMomentum => lastMomentum;

    /// <summary>
    /// ‖φ_t − φ_{t−1}‖ over all teacher parameters at the last update (the teacher drift of
    /// experiment E2, science.md 8.2); NaN before the first update or when drift is not tracked.
    /// Reading it synchronises with the device, so read it when logging.
    /// </summary>
    public double LastDrift => lastDriftSquared is null ? double.NaN : Math.Sqrt(lastDriftSquared.item<double>());

    /// <summary>The teacher module of part <paramref name="name"/>.</summary>
    public Module Part(string name) => get_submodule(name);

    /// <summary>One EMA step with the scheduled momentum m = Momentum.At(NumUpdates).</summary>
    public void Update() => Update(Momentum.At(NumUpdates));

    /// <summary>One EMA step φ ← m·φ + (1 − m)·θ with an explicit momentum (parameters only).</summary>
    public void Update(double m)
    {
        if (!(m >= 0 && m <= 1)) throw new ArgumentOutOfRangeException(nameof(m), $"An EMA momentum must lie in [0, 1], got {m}.");
        using var noGrad = torch.no_grad();
        Tensor? driftSquared = null;
        using (var scope = torch.NewDisposeScope())
        {
            var squares = new List<Tensor>(TrackDrift ? pairs.Count : 0);
            foreach (var (_, online, teacher) in pairs)
            {
                // φ_t − φ_{t−1} = (1 − m)(θ − φ_{t−1}), measured before φ changes.
                if (TrackDrift) squares.Add((online - teacher).square().sum(dtype: ScalarType.Float64));
                teacher.mul_(m).add_(online, 1 - m);
            }
            if (squares.Count > 0)
                driftSquared = scope.MoveToOuter(torch.stack(squares).sum() * ((1 - m) * (1 - m))).DetachFromDisposeScope();
        }
        lastDriftSquared?.Dispose();
        lastDriftSquared = driftSquared;
        lastMomentum = m;
        numUpdates.add_(1L);
    }

    protected override void DisposeExtra()
    {
        lastDriftSquared?.Dispose();
        lastDriftSquared = null;
    }

    public override string extra_repr() => $"momentum={Momentum}";

    /// <summary>Matches online and teacher tensors by name and shape; any difference is an error that names it.</summary>
    private static List<(string Name, Tensor Online, Tensor Teacher)> Pair(EmaPart part,
        IEnumerable<(string, Tensor)> online, IEnumerable<(string, Tensor)> teacher, string kind)
    {
        var o = online.ToList();
        var t = teacher.ToDictionary(e => e.Item1, e => e.Item2);
        var missing = o.Select(e => e.Item1).Where(n => !t.ContainsKey(n)).ToList();
        var extra = t.Keys.Except(o.Select(e => e.Item1)).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new ArgumentException(
                $"EmaTeacher part '{part.Name}': the teacher must have the online module's {kind}s; " +
                $"missing in the teacher: [{string.Join(", ", missing)}], only in the teacher: [{string.Join(", ", extra)}].");
        var result = new List<(string, Tensor, Tensor)>();
        foreach (var (name, value) in o)
        {
            var other = t[name];
            if (!value.shape.SequenceEqual(other.shape))
                throw new ArgumentException(
                    $"EmaTeacher part '{part.Name}': {kind} '{name}' is [{string.Join(", ", value.shape)}] online but [{string.Join(", ", other.shape)}] in the teacher.");
            result.Add((name, value, other));
        }
        return result;
    }
}
