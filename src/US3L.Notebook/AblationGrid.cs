using US3L.Config;

namespace US3L.Notebook;

/// <summary>
/// An ablation grid: a recipe under one profile, fixed overrides shared by every arm, and axes
/// (a recipe key and the values it takes). Its arms are the cartesian product of the axes.
/// <code>
/// var grid = new AblationGrid("fashion-mnist-us3l", "smoke")
/// {
///     Fixed = { "train_subset=512", "epochs=4" },
///     ["distill_head"] = new[] { "separate", "shared" },
///     ["ema_momentum"] = new[] { "0.98", "0.9" },
/// };
/// var arms = grid.Arms();   // 4 arms, each resolved and validated by RecipeLoader
/// </code>
/// Keys and values are the recipe's (snake_case, as for <c>us3l pretrain --set</c>); an unknown key or
/// value is the loader's error, raised by <see cref="Arms"/> before anything trains.
/// </summary>
public sealed class AblationGrid
{
    private readonly List<(string Key, IReadOnlyList<string> Values)> axes = new();

    /// <param name="recipe">A shipped recipe name or the path of a recipe YAML file.</param>
    /// <param name="profile">The recipe profile (smoke, short, full); arms train through <c>us3l pretrain</c>, which always applies one.</param>
    public AblationGrid(string recipe, string profile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(recipe);
        ArgumentException.ThrowIfNullOrWhiteSpace(profile);
        Recipe = recipe;
        Profile = profile;
    }

    public string Recipe { get; }
    public string Profile { get; }
    /// <summary>Names the grid's run folders (default: the recipe's name).</summary>
    public string Name { get; init; } = "";
    /// <summary><c>key=value</c> overrides every arm gets, applied before the axis values.</summary>
    public List<string> Fixed { get; } = new();

    /// <summary>The axes in the order they were declared.</summary>
    public IReadOnlyList<(string Key, IReadOnlyList<string> Values)> Axes => axes;

    /// <summary>The values of axis <paramref name="key"/>; setting it again replaces them (the axis keeps its place).</summary>
    public IReadOnlyList<string> this[string key]
    {
        get => axes.FirstOrDefault(a => a.Key == key).Values
            ?? throw new KeyNotFoundException($"The grid has no axis '{key}'; its axes are {string.Join(", ", axes.Select(a => a.Key))}.");
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(key);
            if (key.Contains('=')) throw new ArgumentException($"An axis is a recipe key without a value, e.g. \"ema_momentum\"; got '{key}'.", nameof(key));
            ArgumentNullException.ThrowIfNull(value);
            var values = value.Select(v => v?.Trim() ?? "").ToArray();
            if (values.Length == 0) throw new ArgumentException($"Axis '{key}' needs at least one value.", nameof(value));
            if (values.Any(v => v.Length == 0)) throw new ArgumentException($"Axis '{key}' has an empty value.", nameof(value));
            if (values.Distinct(StringComparer.Ordinal).Count() != values.Length)
                throw new ArgumentException($"Axis '{key}' lists a value twice: {string.Join(", ", values)}.", nameof(value));
            var index = axes.FindIndex(a => a.Key == key);
            if (index >= 0) axes[index] = (key, values);
            else axes.Add((key, values));
        }
    }

    /// <summary>The folder-name prefix of the grid's runs.</summary>
    public string RunName => Name.Length > 0 ? Name : System.IO.Path.GetFileNameWithoutExtension(Recipe);

    /// <summary>
    /// Every arm, resolved through <see cref="RecipeLoader"/> (recipe, profile, <see cref="Fixed"/>, then the
    /// arm's axis values): a bad recipe, profile, key or value throws here, naming the arm.
    /// </summary>
    public IReadOnlyList<GridArm> Arms()
    {
        if (axes.Count == 0) throw new InvalidOperationException("The grid has no axes; add one, e.g. grid[\"ema_momentum\"] = new[] { \"0.98\", \"0.9\" }.");
        foreach (var set in Fixed)
        {
            var key = set.Split('=', 2)[0].Trim();
            if (axes.Any(a => a.Key == key)) throw new ArgumentException($"'{key}' is both a fixed override ({set}) and an axis; keep one.");
        }
        var recipePath = RecipeLoader.Find(Recipe);
        var arms = new List<GridArm>();
        foreach (var combination in Product())
        {
            var values = combination.Select(c => new KeyValuePair<string, string>(c.Key, c.Value)).ToArray();
            var label = GridArm.LabelOf(RunName, values);
            var overrides = Fixed.Concat(values.Select(v => $"{v.Key}={v.Value}")).ToArray();
            Recipe resolved;
            try
            {
                resolved = RecipeLoader.Resolve(recipePath, Profile, overrides);
            }
            catch (ConfigException e)
            {
                throw new ArgumentException($"Grid arm '{label}': {e.Message}", e);
            }
            arms.Add(new GridArm(label, values, overrides, resolved));
        }
        return arms;
    }

    /// <summary>The widths an arm is evaluated at by default (science.md 8.1).</summary>
    public static IReadOnlyList<double> DefaultWidths { get; } = new[] { 1.0, 0.75, 0.5, 0.25 };

    /// <summary>
    /// Trains every arm that is not trained yet, each in its own <c>us3l pretrain</c> process
    /// (<paramref name="parallel"/> at once, default <see cref="GridParallelism.Default"/>), evaluates each
    /// trained arm per width (kNN after BN recalibration; <paramref name="widths"/>, default
    /// <see cref="DefaultWidths"/>) and writes its <c>summary.json</c>. Re-running skips trained arms and
    /// resumes interrupted ones; an interrupt (<paramref name="ct"/>) stops every process, each saving a
    /// checkpoint, then throws <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <param name="settings">The evaluation protocol (bank and query sizes, BN calibration, kNN k and τ).</param>
    /// <param name="widths">Widths to evaluate.</param>
    /// <param name="parallel">Arms training at once.</param>
    /// <param name="progress">Receives every arm's line a few times a second (e.g. a <see cref="GridView"/>).</param>
    /// <param name="ct">An interrupt: stops and saves every training process.</param>
    /// <param name="interruptGrace">How long a process may take to save after an interrupt before it is killed (default 60 s).</param>
    public GridResult Run(EvaluationSettings settings, IReadOnlyList<double>? widths = null, int? parallel = null,
        IProgress<IReadOnlyList<ArmProgress>>? progress = null, CancellationToken ct = default, TimeSpan? interruptGrace = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var arms = Arms();
        var atOnce = parallel ?? GridParallelism.Default(arms);
        if (atOnce < 1) throw new ArgumentOutOfRangeException(nameof(parallel), $"At least one arm must train at a time, got {atOnce}.");
        var runner = new GridRunner(this, arms, settings, widths ?? DefaultWidths, atOnce, GridParallelism.ThreadsPerArm(atOnce),
            interruptGrace ?? TimeSpan.FromSeconds(60));
        return runner.Run(progress, ct);
    }

    private IEnumerable<IReadOnlyList<(string Key, string Value)>> Product()
    {
        IEnumerable<IReadOnlyList<(string Key, string Value)>> result = new[] { Array.Empty<(string, string)>() };
        foreach (var (key, values) in axes)
            result = result.SelectMany(prefix => values.Select(v => (IReadOnlyList<(string, string)>)prefix.Append((key, v)).ToArray()));
        return result;
    }

    public override string ToString() =>
        $"{RunName} grid on {Recipe} ({Profile}): {string.Join(" × ", axes.Select(a => $"{a.Key} ∈ {{{string.Join(", ", a.Values)}}}"))}";
}
