using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Regularization;

/// <summary>
/// R_group(θ) = Σ_p Σ_elements c(p, element)·p² (a plain sum, no ½), added to the loss of every
/// width step in place of weight decay (science.md 5). Group 0, the first channels that every
/// width uses, gets the largest coefficient λ; later groups, trained by fewer of the n steps of an
/// iteration but decayed at all of them, get less.
/// <para>
/// <see cref="SetEpoch"/> precomputes one coefficient tensor per parameter, shaped to broadcast
/// against it ([C_out, 1, 1, 1] for a conv weight, [C] for a 1-D tensor, [1, C_in] for a ViT linear
/// weight, none for a uniform λ), so a step costs one multiply-sum per parameter. The regularizer
/// reads the module's parameters through <c>named_parameters()</c>; parameters added later are not
/// seen. Frozen parameters (requires_grad = false) are left out.
/// </para>
/// </summary>
public sealed class GroupRegularizer : IDisposable
{
    private readonly List<Entry> entries = new();
    private int? epoch;

    public GroupRegularizer(Module model, GroupRegularization settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        Settings = settings ?? throw new ArgumentNullException(nameof(settings));
        foreach (var (name, p) in model.named_parameters())
        {
            if (!p.requires_grad || settings.IsExcluded(name)) continue;
            entries.Add(new Entry(name, p, GroupedAxis(p), settings.SkipPredictorAtMaxWidth && name.Contains("predictor")));
        }
    }

    public GroupRegularization Settings { get; }

    /// <summary>The epoch whose coefficients are loaded, or null before <see cref="SetEpoch"/>.</summary>
    public int? Epoch => epoch;

    /// <summary>Names of the regularized parameters, in module order.</summary>
    public IReadOnlyList<string> Names => entries.Select(e => e.Name).ToList();

    /// <summary>Loads the coefficients c_i(e) of epoch <paramref name="e"/>; call it once per epoch.</summary>
    public void SetEpoch(int e)
    {
        if (epoch == e) return;
        var c = Settings.Coefficients(e);
        foreach (var entry in entries)
        {
            entry.Coefficient?.Dispose();
            entry.Coefficient = entry.Axis is { } axis ? CoefficientTensor(entry.Parameter, axis, c) : null;
        }
        epoch = e;
    }

    /// <summary>
    /// R_group for a step at width <paramref name="width"/>, a scalar tensor on the parameters'
    /// device. At width ≥ 1.0 parameters named "…predictor…" are skipped when
    /// <see cref="GroupRegularization.SkipPredictorAtMaxWidth"/> is set; the rule is the code's,
    /// which tests the width and not the role, so in uniform sampling (max role below 1.0) they
    /// are decayed at every step.
    /// </summary>
    public Tensor Penalty(double width)
    {
        if (epoch is null) throw new InvalidOperationException("GroupRegularizer: call SetEpoch(epoch) before Penalty.");
        var maxWidth = width >= 1.0;
        using var scope = torch.NewDisposeScope();
        var terms = new List<Tensor>(entries.Count);
        foreach (var entry in entries)
        {
            if (maxWidth && entry.IsPredictor) continue;
            var p = entry.Parameter;
            terms.Add(entry.Coefficient is { } c ? (p.square() * c).sum() : p.square().sum() * UniformLambda);
        }
        var total = terms.Count == 0 ? torch.zeros(Array.Empty<long>()) : torch.stack(terms).sum();
        return scope.MoveToOuter(total);
    }

    /// <summary>The coefficient tensor of parameter <paramref name="name"/> for the loaded epoch (a detached alias), or null where it is a uniform λ.</summary>
    public Tensor? CoefficientOf(string name)
    {
        var entry = entries.FirstOrDefault(e => e.Name == name)
            ?? throw new ArgumentException($"GroupRegularizer: '{name}' is not a regularized parameter; regularized: {string.Join(", ", Names)}.");
        return entry.Coefficient?.detach();
    }

    /// <summary>The uniform coefficient of tensors that are not grouped; λ at every epoch.</summary>
    public double UniformLambda => Settings.Lambda;

    private long? GroupedAxis(Tensor p) => (Settings.Axis, p.dim()) switch
    {
        (GroupAxis.ConvOutputChannels, 4) => 0,
        (GroupAxis.ConvOutputChannels, 1) => 0,
        (GroupAxis.LinearInputFeatures, 2) => 1,
        _ => null,
    };

    /// <summary>A tensor of c_{group(j)} along <paramref name="axis"/>, with size 1 on every other axis.</summary>
    private Tensor CoefficientTensor(Tensor p, long axis, double[] c)
    {
        var channels = p.size(axis);
        var values = new double[channels];
        for (var j = 0; j < channels; j++) values[j] = c[Settings.GroupOf(j, channels)];
        var shape = Enumerable.Repeat(1L, (int)p.dim()).ToArray();
        shape[axis] = channels;
        using var scope = torch.NewDisposeScope();
        var t = torch.tensor(values, channels).to(p.dtype, p.device).view(shape);
        return t.DetachFromDisposeScope();
    }

    public void Dispose()
    {
        foreach (var entry in entries)
        {
            entry.Coefficient?.Dispose();
            entry.Coefficient = null;
        }
        epoch = null;
    }

    private sealed class Entry(string name, Tensor parameter, long? axis, bool isPredictor)
    {
        public string Name { get; } = name;
        public Tensor Parameter { get; } = parameter;
        public long? Axis { get; } = axis;
        public bool IsPredictor { get; } = isPredictor;
        public Tensor? Coefficient { get; set; }
    }
}
