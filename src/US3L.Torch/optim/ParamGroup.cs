namespace US3L.Torch.optim;

/// <summary>
/// Parameters that share hyper-parameters (PyTorch's param_groups entry). Options are numbers
/// (flags are 0 or 1) so they travel through checkpoints as they are; a group given to an
/// optimizer gets every option the group does not set from the optimizer's defaults.
/// Typical use: no weight decay for biases and norm weights,
/// <c>new ParamGroup(biases, new() { ["weight_decay"] = 0 })</c>.
/// </summary>
public sealed class ParamGroup
{
    private readonly Dictionary<string, double> options;

    public ParamGroup(IEnumerable<Tensor> parameters, Dictionary<string, double>? options = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        this.parameters = parameters.ToList();
        this.options = options is null ? new() : new(options);
    }

    public IReadOnlyList<Tensor> parameters { get; }

    public IReadOnlyDictionary<string, double> options_view => options;

    /// <summary>An option by name; an unknown name is an error that lists the known ones.</summary>
    public double this[string key]
    {
        get => options.TryGetValue(key, out var v) ? v
            : throw new KeyNotFoundException($"Parameter group has no option '{key}'; it has: {string.Join(", ", options.Keys)}.");
        set
        {
            if (!options.ContainsKey(key))
                throw new KeyNotFoundException($"Parameter group has no option '{key}'; it has: {string.Join(", ", options.Keys)}.");
            options[key] = value;
        }
    }

    public bool Has(string key) => options.ContainsKey(key);

    /// <summary>The learning rate, the option LR schedules write.</summary>
    public double lr
    {
        get => this["lr"];
        set => this["lr"] = value;
    }

    internal void FillDefaults(IReadOnlyDictionary<string, double> defaults)
    {
        var unknown = options.Keys.Where(k => !defaults.ContainsKey(k) && k != "initial_lr").ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"Unknown option(s) {string.Join(", ", unknown)} in a parameter group; valid: {string.Join(", ", defaults.Keys)}.");
        foreach (var (k, v) in defaults) options.TryAdd(k, v);
    }

    /// <summary>Adds an option if absent (schedulers record initial_lr this way, as PyTorch).</summary>
    internal void SetDefault(string key, double value) => options.TryAdd(key, value);

    internal void Set(string key, double value) => options[key] = value;
}
