using System.Globalization;
using System.Text.Json;
using US3L.Data;
using US3L.Evaluation;
using US3L.Models;
using US3L.Slimmable;
using US3L.Training;

namespace US3L.Notebook;

/// <summary>
/// How a backbone is evaluated per width (science.md 6.3, 6.4, 8.1): BN recalibrated per width on
/// <see cref="CalibrationBatches"/> batches of training images, then weighted kNN (cosine) and,
/// when <see cref="ProbeEpochs"/> is set, a linear probe on frozen features. The bank (and probe
/// training set) is the first <see cref="TrainImages"/> training images, the queries the first
/// <see cref="TestImages"/> test images.
/// </summary>
/// <see cref="Profile"/> only labels the protocol (the notebook profile the sizes came from).
public sealed record EvaluationSettings(int TrainImages, int TestImages, int? ProbeEpochs = null, int CalibrationBatches = 20,
    int KnnK = 20, double KnnTemperature = 0.1, int BatchSize = 256, string? Profile = null)
{
    /// <summary>The protocol in words, for the line printed under every table and plot.</summary>
    public string Describe(string dataset, long seed) =>
        $"kNN k = {KnnK}, τ = {KnnTemperature.ToString(CultureInfo.InvariantCulture)}, cosine, bank = first {TrainImages} training images, queries = first {TestImages} test images" +
        (ProbeEpochs is int e ? $"; linear probe: {e} epochs of SGD on frozen standardized features of the same images" : "") +
        (CalibrationBatches > 0 ? $"; BN recalibrated per width on {CalibrationBatches} batches of {BatchSize} training images" : "; BN not recalibrated") +
        $"; dataset {dataset}, profile {Profile ?? "custom"}, seed {seed}";
}

/// <summary>Top-1 of one width.</summary>
public sealed record WidthAccuracy(double Width, long Macs, double KnnTop1, double? LinearTop1);

/// <summary>The per-width accuracy of one model under one protocol.</summary>
public sealed record WidthAccuracies(string Model, string Protocol, IReadOnlyList<WidthAccuracy> Points)
{
    /// <summary>True when the numbers were read from an earlier evaluation's cache file.</summary>
    public bool FromCache { get; init; }

    /// <summary>The point of <paramref name="width"/> (an error naming the evaluated widths if it was not evaluated).</summary>
    public WidthAccuracy At(double width) => Points.FirstOrDefault(p => RunMetrics.Same(p.Width, width))
        ?? throw new KeyNotFoundException($"{Model} was evaluated at widths {string.Join(", ", Points.Select(p => p.Width))}, not at {width}.");
}

/// <summary>
/// Per-width evaluation of notebook runs and of randomly initialised networks, cached next to
/// the run (<c>eval/HASH.json</c>, keyed by the widths and settings) so re-running a notebook
/// evaluates nothing twice.
/// </summary>
public static class WidthEvaluation
{
    /// <summary>The run's final online backbone, evaluated per width.</summary>
    public static WidthAccuracies Evaluate(NotebookRun run, IReadOnlyList<double> widths, EvaluationSettings settings,
        IProgress<(int Done, int Total)>? progress = null, CancellationToken ct = default) =>
        Cached(Path.Combine(run.RunDir, "eval"), run.Label, run.Config, widths, settings, progress, ct, run.LoadBackbone);

    /// <summary>
    /// The floor of science.md 8.2: the run's architecture, randomly initialised from
    /// <paramref name="config"/>'s seed, evaluated per width (cached under the store's <c>random-init-HASH</c>).
    /// </summary>
    public static WidthAccuracies EvaluateRandomInit(PretrainConfig config, IReadOnlyList<double> widths, EvaluationSettings settings,
        IProgress<(int Done, int Total)>? progress = null, CancellationToken ct = default)
    {
        var key = RunStore.Hash($"{config.Arch}|{config.Divisor}|{config.Seed}|{config.WidthMin}|{config.WidthMax}|{config.Dataset}");
        var folder = Path.Combine(RunStore.Root, $"random-init-{key}", "eval");
        return Cached(folder, "random init", config, widths, settings, progress, ct, () => RandomBackbone(config));
    }

    /// <summary>The same architecture as <paramref name="config"/>'s, randomly initialised from its seed.</summary>
    public static SlimmableNetwork RandomBackbone(PretrainConfig config)
    {
        var net = ModelRegistry.Create(config.Arch, new ModelOptions
        {
            InChannels = Dataset(config, train: false, 1).Channels, Divisor = config.Divisor, Seed = config.Seed,
            TrainedRange = new WidthRange(config.WidthMin, config.WidthMax),
        });
        net.eval();
        return net;
    }

    /// <summary>The first <paramref name="count"/> images of the config's dataset split.</summary>
    public static InMemoryImageDataset Dataset(PretrainConfig config, bool train, int count) => config.Dataset switch
    {
        "fashion-mnist" => FashionMnist.Load(train, config.DataDir.Length == 0 ? null : config.DataDir, Subset.First(count)),
        "cifar10" => Cifar.Load10(DataDir(config), train, Subset.First(count)),
        "cifar100" => Cifar.Load100(DataDir(config), train, subset: Subset.First(count)),
        _ => throw new ArgumentException($"Notebook evaluation reads fashion-mnist, cifar10 or cifar100; the run's dataset is '{config.Dataset}'."),
    };

    private static string DataDir(PretrainConfig config) => config.DataDir.Length > 0 ? config.DataDir
        : throw new ArgumentException($"The {config.Dataset} run names no data_dir; set it to the folder holding the dataset.");

    private static WidthAccuracies Cached(string folder, string model, PretrainConfig config, IReadOnlyList<double> widths,
        EvaluationSettings settings, IProgress<(int Done, int Total)>? progress, CancellationToken ct, Func<SlimmableNetwork> load)
    {
        if (widths.Count == 0) throw new ArgumentException("Evaluate at least one width.", nameof(widths));
        foreach (var w in widths)
            if (!(w > 0 && w <= 1)) throw new ArgumentOutOfRangeException(nameof(widths), $"Widths must lie in (0, 1], got {w}.");
        var protocol = settings.Describe(config.Dataset, config.Seed);
        var key = RunStore.Hash(JsonSerializer.Serialize(new { widths, settings = settings with { Profile = null }, config.Seed }));
        var path = Path.Combine(folder, key + ".json");
        if (EvaluationCache.Read<WidthAccuracy>(path) is { } saved)
            return new WidthAccuracies(model, protocol, saved) { FromCache = true };

        var train = Dataset(config, train: true, settings.TrainImages);
        var test = Dataset(config, train: false, settings.TestImages);
        var options = new WidthSweepOptions(new EvalProtocol(config.Dataset, settings.CalibrationBatches > 0, config.Seed))
        {
            Knn = new[] { new KnnOptions(settings.KnnK, settings.KnnTemperature) },
            Linear = settings.ProbeEpochs is int epochs ? new LinearProbeOptions(Epochs: epochs, Seed: config.Seed) : null,
        };
        List<WidthAccuracy> points;
        using (var backbone = load())
        using (var evaluation = new BackboneEvaluation(backbone, train, test, settings.BatchSize, settings.CalibrationBatches))
        {
            int total = evaluation.StepsPerWidth * widths.Count, done = 0;
            points = evaluation.Sweep(widths, options, onBatch: () =>
            {
                ct.ThrowIfCancellationRequested();
                progress?.Report((++done, total));
            }).Select(p => new WidthAccuracy(p.Width, p.Macs ?? 0, p.KnnTop1, p.LinearTop1)).ToList();
        }
        EvaluationCache.Write(path, points);
        return new WidthAccuracies(model, protocol, points);
    }
}
