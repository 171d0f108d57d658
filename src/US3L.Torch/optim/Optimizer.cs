using System.Globalization;

namespace US3L.Torch.optim;

/// <summary>
/// Base of the optimizers: parameter groups with numeric hyper-parameters, per-parameter state
/// (step count and named tensors such as momentum buffers), and a checkpointable state_dict.
/// Subclasses implement <see cref="Update"/> for one parameter; <see cref="step"/> runs it under
/// no_grad inside a dispose scope, so an update leaks no tensor. The optimizer owns its state
/// tensors; <see cref="Dispose"/> frees them.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly List<ParamGroup> groups = new();
    private readonly Dictionary<Tensor, ParamState> state = new(ReferenceEqualityComparer.Instance);

    protected Optimizer(IEnumerable<ParamGroup> param_groups, IReadOnlyDictionary<string, double> defaults)
    {
        this.defaults = defaults;
        foreach (var g in param_groups) add_param_group(g);
        if (groups.Count == 0 || groups.All(g => g.parameters.Count == 0))
            throw new ArgumentException($"{GetType().Name} got an empty parameter list.");
    }

    /// <summary>The options every group starts from.</summary>
    public IReadOnlyDictionary<string, double> defaults { get; }

    public IReadOnlyList<ParamGroup> param_groups => groups;

    /// <summary>The state of one parameter: its update count and named tensors.</summary>
    public sealed class ParamState
    {
        public long step { get; internal set; }
        public Dictionary<string, Tensor> tensors { get; } = new();
    }

    public void add_param_group(ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.FillDefaults(defaults);
        foreach (var p in group.parameters)
        {
            if (p.IsDisposed) throw new ArgumentException("A parameter given to the optimizer is disposed.");
            if (!p.is_leaf) throw new ArgumentException("Optimizers can only optimize leaf tensors (parameters); got a tensor with history.");
            if (groups.Any(g => g.parameters.Contains(p, ReferenceEqualityComparer.Instance)))
                throw new ArgumentException("A parameter appears in more than one parameter group.");
        }
        Validate(group);
        groups.Add(group);
    }

    /// <summary>Checks a group's options (e.g. lr >= 0); message says which value is wrong.</summary>
    protected virtual void Validate(ParamGroup group)
    {
        if (group.lr < 0) throw new ArgumentException($"Invalid learning rate {group.lr}: must be >= 0.");
        if (group.Has("weight_decay") && group["weight_decay"] < 0)
            throw new ArgumentException($"Invalid weight_decay {group["weight_decay"]}: must be >= 0.");
    }

    /// <summary>The state of <paramref name="p"/>, created empty on first use.</summary>
    protected ParamState StateOf(Tensor p)
    {
        if (!state.TryGetValue(p, out var s)) state[p] = s = new ParamState();
        return s;
    }

    /// <summary>
    /// Makes a state tensor that belongs to the optimizer (out of every dispose scope). The
    /// source is cloned, so it may be a temporary.
    /// </summary>
    protected static Tensor Keep(Tensor source) => source.detach().clone().DetachFromDisposeScope();

    /// <summary>Clears the gradients of every parameter (set to none by default).</summary>
    public void zero_grad(bool set_to_none = true)
    {
        foreach (var g in groups)
            foreach (var p in g.parameters) p.zero_grad(set_to_none);
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void step()
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        foreach (var g in groups)
            foreach (var p in g.parameters)
            {
                var grad = p.grad;
                if (grad is null) continue;
                var s = StateOf(p);
                s.step++;
                Update(g, p, grad, s);
            }
    }

    /// <summary>Updates <paramref name="p"/> in place from its gradient; temporaries may be left to the enclosing scope.</summary>
    protected abstract void Update(ParamGroup group, Tensor p, Tensor grad, ParamState state);

    // ---- checkpoints -------------------------------------------------------------------------

    /// <summary>
    /// The optimizer state as a flat map of tensors, ready for a safetensors checkpoint:
    /// <c>param_groups.{g}.{option}</c> (float64 scalars), <c>param_groups.{g}.params</c> (int64
    /// indices of the parameters, numbered across groups as PyTorch does),
    /// <c>state.{i}.step</c> (float64 scalar) and <c>state.{i}.{name}</c> (the state tensors,
    /// detached handles sharing storage, owned by the current dispose scope).
    /// </summary>
    public OrderedDictionary<string, Tensor> state_dict()
    {
        var result = new OrderedDictionary<string, Tensor>();
        var index = 0L;
        for (var gi = 0; gi < groups.Count; gi++)
        {
            var g = groups[gi];
            foreach (var (k, v) in g.options_view.OrderBy(e => e.Key, StringComparer.Ordinal))
                result.Add($"param_groups.{gi}.{k}", torch.scalar_tensor(v, torch.float64));
            var ids = Enumerable.Range(0, g.parameters.Count).Select(i => index + i).ToArray();
            result.Add($"param_groups.{gi}.params", torch.tensor(ids, ids.Length));
            foreach (var p in g.parameters)
            {
                if (state.TryGetValue(p, out var s))
                {
                    result.Add($"state.{index}.step", torch.scalar_tensor(s.step, torch.float64));
                    foreach (var (name, t) in s.tensors.OrderBy(e => e.Key, StringComparer.Ordinal))
                        result.Add($"state.{index}.{name}", t.detach());
                }
                index++;
            }
        }
        return result;
    }

    /// <summary>
    /// Restores a state_dict of an optimizer built over parameters of the same shapes, in the
    /// same groups. Everything is validated first; a failure changes nothing. State tensors are
    /// copied to the parameter's device (and dtype, for floating point), as PyTorch does.
    /// </summary>
    public void load_state_dict(IReadOnlyDictionary<string, Tensor> dict)
    {
        ArgumentNullException.ThrowIfNull(dict);
        var all = groups.SelectMany(g => g.parameters).ToList();
        var problems = new List<string>();
        var used = new HashSet<string>();
        var newOptions = new List<Dictionary<string, double>>();
        for (var gi = 0; gi < groups.Count; gi++)
        {
            var options = new Dictionary<string, double>();
            foreach (var k in groups[gi].options_view.Keys)
            {
                var key = $"param_groups.{gi}.{k}";
                if (dict.TryGetValue(key, out var t) && t.numel() == 1) { options[k] = t.item<double>(); used.Add(key); }
                else if (k != "initial_lr") problems.Add($"missing scalar '{key}'");
            }
            newOptions.Add(options);
            var idsKey = $"param_groups.{gi}.params";
            if (!dict.TryGetValue(idsKey, out var ids)) { problems.Add($"missing '{idsKey}'"); continue; }
            used.Add(idsKey);
            if (ids.numel() != groups[gi].parameters.Count)
                problems.Add($"group {gi} has {groups[gi].parameters.Count} parameters here, {ids.numel()} in the checkpoint");
        }

        var newState = new Dictionary<long, (long step, List<(string name, Tensor value)> tensors)>();
        foreach (var key in dict.Keys.Where(k => k.StartsWith("state.", StringComparison.Ordinal)))
        {
            var parts = key.Split('.', 3);
            if (parts.Length != 3 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var i) || i >= all.Count)
            {
                problems.Add($"'{key}' names no parameter (there are {all.Count})");
                continue;
            }
            used.Add(key);
            if (!newState.TryGetValue(i, out var entry)) newState[i] = entry = (0, new());
            var value = dict[key];
            if (parts[2] == "step")
                newState[i] = (checked((long)value.item<double>()), entry.tensors);
            else if (!value.shape.SequenceEqual(all[(int)i].shape))
                problems.Add($"'{key}' has shape {Tensor.ShapeString(value.shape)}, parameter {i} has {Tensor.ShapeString(all[(int)i].shape)}");
            else entry.tensors.Add((parts[2], value));
        }
        var unknown = dict.Keys.Where(k => !used.Contains(k) && !k.StartsWith("state.", StringComparison.Ordinal)).ToList();
        if (unknown.Count > 0) problems.Add($"unexpected key(s): {string.Join(", ", unknown)}");
        if (problems.Count > 0)
            throw new ArgumentException($"Cannot load the {GetType().Name} state: {string.Join("; ", problems)}. Nothing was loaded.");

        for (var gi = 0; gi < groups.Count; gi++)
            foreach (var (k, v) in newOptions[gi]) groups[gi].Set(k, v);
        ClearState();
        using var scope = torch.NewDisposeScope();
        foreach (var (i, (step, tensors)) in newState)
        {
            var p = all[(int)i];
            var s = StateOf(p);
            s.step = step;
            foreach (var (name, value) in tensors)
                s.tensors[name] = Keep(value.dtype.IsFloatingPoint() ? value.to(p.dtype, p.device) : value.to(p.device));
        }
    }

    /// <summary>The state of one parameter, or null before its first update.</summary>
    public ParamState? state_of(Tensor p) => state.GetValueOrDefault(p);

    private void ClearState()
    {
        foreach (var s in state.Values)
            foreach (var t in s.tensors.Values) t.Dispose();
        state.Clear();
    }

    public void Dispose()
    {
        ClearState();
        GC.SuppressFinalize(this);
    }
}
