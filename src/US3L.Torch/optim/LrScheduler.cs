using System.Globalization;

namespace US3L.Torch.optim;

/// <summary>
/// Learning-rate schedules. Each schedule is a pure function of the step (or epoch) counter,
/// <see cref="lr_at"/>, so a resumed run gets exactly the same rates; the counter and the base
/// rates are the only state. The unit is whatever the caller counts: call <see cref="step"/> once
/// per epoch for a per-epoch schedule, once per iteration for a per-step one.
/// Construction sets every group's lr to the value at step 0 and records the group's base rate
/// as <c>initial_lr</c>, as PyTorch does.
/// </summary>
public abstract class LRScheduler
{
    private readonly double[] baseLrs;

    protected LRScheduler(Optimizer optimizer)
    {
        this.optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        foreach (var g in optimizer.param_groups) g.SetDefault("initial_lr", g.lr);
        baseLrs = optimizer.param_groups.Select(g => g["initial_lr"]).ToArray();
    }

    public Optimizer optimizer { get; }

    /// <summary>Steps taken so far (PyTorch's last_epoch).</summary>
    public long last_epoch { get; private set; }

    public IReadOnlyList<double> base_lrs => baseLrs;

    /// <summary>The rate of a group whose base rate is <paramref name="base_lr"/>, at step <paramref name="t"/>.</summary>
    public abstract double lr_at(double base_lr, long t);

    /// <summary>The current rate of each group.</summary>
    public IReadOnlyList<double> get_last_lr() => optimizer.param_groups.Select(g => g.lr).ToArray();

    /// <summary>Advances the counter by one and writes the new rates into the optimizer.</summary>
    public void step()
    {
        last_epoch++;
        Apply();
    }

    /// <summary>Writes the rates of the current step (call once after construction or a load).</summary>
    protected void Apply()
    {
        var groups = optimizer.param_groups;
        if (groups.Count != baseLrs.Length)
            throw new InvalidOperationException($"The optimizer has {groups.Count} parameter groups; the scheduler was built for {baseLrs.Length}.");
        for (var i = 0; i < groups.Count; i++) groups[i].lr = lr_at(baseLrs[i], last_epoch);
    }

    /// <summary>The counter and base rates, e.g. for a checkpoint's metadata.</summary>
    public Dictionary<string, double> state_dict()
    {
        var d = new Dictionary<string, double> { ["last_epoch"] = last_epoch };
        for (var i = 0; i < baseLrs.Length; i++) d["base_lrs." + i.ToString(CultureInfo.InvariantCulture)] = baseLrs[i];
        return d;
    }

    /// <summary>Restores the counter and base rates and rewrites the optimizer's rates for that step.</summary>
    public void load_state_dict(IReadOnlyDictionary<string, double> state)
    {
        var expected = state_dict().Keys.ToHashSet();
        var missing = expected.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !expected.Contains(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new ArgumentException($"Cannot load the {GetType().Name} state: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}].");
        last_epoch = checked((long)state["last_epoch"]);
        for (var i = 0; i < baseLrs.Length; i++) baseLrs[i] = state["base_lrs." + i.ToString(CultureInfo.InvariantCulture)];
        Apply();
    }
}

/// <summary>
/// Cosine annealing from the base rate to eta_min over T_max steps, in closed form:
/// lr_t = eta_min + (lr0 - eta_min) * (1 + cos(pi * t / T_max)) / 2; it stays at eta_min after T_max.
/// </summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    private readonly long tMax;
    private readonly double etaMin;

    public CosineAnnealingLR(Optimizer optimizer, long T_max, double eta_min = 0) : base(optimizer)
    {
        if (T_max <= 0) throw new ArgumentException($"T_max must be positive, got {T_max}.");
        (tMax, etaMin) = (T_max, eta_min);
        Apply();
    }

    public override double lr_at(double base_lr, long t) => Schedules.Cosine(base_lr, t, tMax, etaMin);
}

/// <summary>Multiplies the base rate by gamma at every milestone passed: lr_t = lr0 * gamma^(#milestones &lt;= t).</summary>
public sealed class MultiStepLR : LRScheduler
{
    private readonly long[] milestones;
    private readonly double gamma;

    public MultiStepLR(Optimizer optimizer, IEnumerable<long> milestones, double gamma = 0.1) : base(optimizer)
    {
        this.milestones = milestones.OrderBy(m => m).ToArray();
        if (this.milestones.Any(m => m < 0)) throw new ArgumentException("Milestones must be non-negative.");
        this.gamma = gamma;
        Apply();
    }

    public override double lr_at(double base_lr, long t) => base_lr * Math.Pow(gamma, milestones.Count(m => m <= t));
}

/// <summary>
/// Linear warm-up then cosine annealing (solo-learn's LinearWarmupCosineAnnealingLR):
/// for t &lt; warmup, lr_t = start + t * (lr0 - start) / (warmup - 1); then cosine from lr0 to
/// eta_min over the remaining total - warmup steps.
/// </summary>
public sealed class LinearWarmupCosineLR : LRScheduler
{
    private readonly long warmup;
    private readonly long total;
    private readonly double warmupStart;
    private readonly double etaMin;

    public LinearWarmupCosineLR(Optimizer optimizer, long warmup_steps, long total_steps, double warmup_start_lr = 0, double eta_min = 0)
        : base(optimizer)
    {
        if (warmup_steps < 0 || total_steps <= warmup_steps)
            throw new ArgumentException($"Need 0 <= warmup_steps < total_steps, got warmup_steps={warmup_steps}, total_steps={total_steps}.");
        (warmup, total, warmupStart, etaMin) = (warmup_steps, total_steps, warmup_start_lr, eta_min);
        Apply();
    }

    public override double lr_at(double base_lr, long t) => Schedules.WarmupCosine(base_lr, t, warmup, total, warmupStart, etaMin);
}

/// <summary>lr_t = lr0 * factor(t), for schedules given as a function.</summary>
public sealed class LambdaLR : LRScheduler
{
    private readonly Func<long, double> factor;

    public LambdaLR(Optimizer optimizer, Func<long, double> lr_lambda) : base(optimizer)
    {
        factor = lr_lambda ?? throw new ArgumentNullException(nameof(lr_lambda));
        Apply();
    }

    public override double lr_at(double base_lr, long t) => base_lr * factor(t);
}

/// <summary>The schedules as plain functions (also used for momentum or EMA schedules).</summary>
public static class Schedules
{
    /// <summary>eta_min + (lr0 - eta_min) * (1 + cos(pi * t / T)) / 2, held at eta_min for t >= T.</summary>
    public static double Cosine(double lr0, long t, long T, double eta_min = 0)
    {
        var x = Math.Clamp(t, 0, T);
        return eta_min + (lr0 - eta_min) * 0.5 * (1 + Math.Cos(Math.PI * x / T));
    }

    /// <summary>Linear warm-up from start to lr0 over <paramref name="warmup"/> steps, then cosine to eta_min at <paramref name="total"/>.</summary>
    public static double WarmupCosine(double lr0, long t, long warmup, long total, double start = 0, double eta_min = 0)
    {
        if (t < warmup)
            return warmup == 1 ? start : start + t * (lr0 - start) / (warmup - 1);
        return Cosine(lr0, t - warmup, total - warmup, eta_min);
    }
}
