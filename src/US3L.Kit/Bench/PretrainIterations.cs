using System.Diagnostics;
using US3L.Methods;
using US3L.Torch;
using US3L.Training;

namespace US3L.Bench;

/// <summary>What the timed iterations of one sampler cost, against its sampling rule.</summary>
/// <param name="Sampler">Label, e.g. "sandwich-3".</param>
/// <param name="PassesPerIteration">Measured mean number of widths trained per iteration.</param>
/// <param name="ExpectedPasses">The sampling rule's mean over training (science.md 4.2).</param>
/// <param name="CostPerIteration">Measured mean Σ w² over the trained widths (cost unit: one full-width pass).</param>
/// <param name="ExpectedCost">The sampling rule's mean Σ w² over training (science.md 4.2).</param>
/// <param name="MacsPerImage">Backbone MACs per image per iteration: two views, forward + backward (≈ 3x forward) at every width, plus the teacher's forward.</param>
public sealed record PretrainIterationCost(string Sampler, double PassesPerIteration, double ExpectedPasses,
    double CostPerIteration, double ExpectedCost, double MacsPerImage);

/// <summary>
/// Real US3L iterations (the trainer's width loop: EMA update, teacher, base loss, distillation, a
/// step per width) of one config, kept loaded so a benchmark can time them in rounds. Views are
/// random, so data loading and augmentation are not counted. Widths come from the run's sampler:
/// <see cref="Draw"/> takes iterations from each of four epochs, so dynamic sampling "A" is measured
/// across its four phases equally, which is its mean over a whole run.
/// </summary>
public sealed class PretrainIterations : IDisposable
{
    private const int Phases = 4;

    private readonly TrainingSetup setup;
    private readonly ViewPair views;
    private readonly List<IReadOnlyList<double>> timed = new();
    private long iteration;

    public PretrainIterations(PretrainConfig config)
    {
        // Four epochs put each of dynamic sampling's phases in one epoch; no kNN monitor.
        Config = config with { Epochs = Phases, KnnEvery = -1, MonitorEvery = int.MaxValue };
        setup = new TrainingSetup(Config);
        Channels = setup.ModelOptions.InChannels;
        Side = setup.Data.Train.Height;
        using (torch.NewDisposeScope())
        {
            var shape = new long[] { Config.BatchSize, Channels, Side, Side };
            views = new ViewPair(DisposeScope.Detach(torch.randn(shape).to(setup.Device)), DisposeScope.Detach(torch.randn(shape).to(setup.Device)));
        }
    }

    public PretrainConfig Config { get; }
    public int Channels { get; }
    public int Side { get; }

    /// <summary>The samplers a benchmark compares, on the network and step of <paramref name="c"/>.</summary>
    public static IReadOnlyList<(string Label, PretrainConfig Config)> Samplers(PretrainConfig c) => new[]
    {
        ("sandwich-3", c with { Sampler = SamplerKind.Sandwich, NumWidths = 3 }),
        ("sandwich-4", c with { Sampler = SamplerKind.Sandwich, NumWidths = 4 }),
        ("dynamic-a", c with { Sampler = SamplerKind.DynamicA, NumWidths = 3 }),
        ("uniform-3", c with { Sampler = SamplerKind.Uniform, NumWidths = 3 }),
    };

    /// <summary>Untimed iterations' widths, drawn in the first epoch.</summary>
    public IReadOnlyList<IReadOnlyList<double>> DrawWarmup(int iterations) =>
        Enumerable.Range(0, iterations).Select(_ => setup.Sampler.Next(0).Widths).ToArray();

    /// <summary>The widths of <paramref name="iterationsPerPhase"/> iterations in each of the four epochs; they count towards <see cref="Cost"/>.</summary>
    public IReadOnlyList<IReadOnlyList<double>> Draw(int iterationsPerPhase)
    {
        if (iterationsPerPhase < 1) throw new ArgumentOutOfRangeException(nameof(iterationsPerPhase), "Time at least one iteration per phase.");
        var draws = new List<IReadOnlyList<double>>();
        for (var epoch = 0; epoch < Phases; epoch++)
            for (var i = 0; i < iterationsPerPhase; i++) draws.Add(setup.Sampler.Next(epoch).Widths);
        timed.AddRange(draws);
        return draws;
    }

    /// <summary>Runs one iteration per entry of <paramref name="widths"/> and returns images (each seen as two views) per second.</summary>
    public double Run(IEnumerable<IReadOnlyList<double>> widths)
    {
        Synchronize();
        var watch = Stopwatch.StartNew();
        var count = 0;
        foreach (var ws in widths)
        {
            setup.Loop.Run(views, ws, epoch: 0, iteration: iteration++, monitor: false);
            count++;
        }
        Synchronize();
        return Config.BatchSize * count / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Passes, cost and MACs of the iterations drawn by <see cref="Draw"/>, against the sampling rule.</summary>
    public PretrainIterationCost Cost(string label)
    {
        if (timed.Count == 0) throw new InvalidOperationException("Draw the timed iterations first.");
        var backbone = setup.Network.Backbone;
        double Macs(double w) => backbone.Cost(w, Side).Macs;
        var rule = TrainingSetup.Rule(Config);
        return new PretrainIterationCost(label,
            timed.Average(ws => ws.Count),
            Enumerable.Range(0, Phases).Average(e => rule.ExpectedPasses(e)),
            timed.Average(ws => ws.Sum(w => w * w)),
            Enumerable.Range(0, Phases).Average(e => rule.ExpectedCost(e)),
            timed.Average(ws => ws.Sum(w => 2 * 3 * Macs(w))) + 2 * Macs(setup.Loop.TeacherWidth));
    }

    private void Synchronize()
    {
        if (setup.Device.Type == DeviceType.CUDA) torch.cuda.synchronize();
    }

    public void Dispose()
    {
        views.V1.Dispose();
        views.V2.Dispose();
        setup.Dispose();
    }
}
