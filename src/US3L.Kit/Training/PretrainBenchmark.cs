using System.Diagnostics;
using US3L.Methods;
using US3L.Torch;

namespace US3L.Training;

/// <summary>One sampler's measurement: speed of real trainer iterations and what they cost.</summary>
/// <param name="Sampler">Label, e.g. "sandwich-3".</param>
/// <param name="ImagesPerSecond">Images (each seen as two views) per second over the timed iterations.</param>
/// <param name="PassesPerIteration">Measured mean number of widths trained per iteration.</param>
/// <param name="ExpectedPasses">The sampling rule's mean over training (science.md 4.2).</param>
/// <param name="CostPerIteration">Measured mean Σ w² over the trained widths (cost unit: one full-width pass).</param>
/// <param name="ExpectedCost">The sampling rule's mean Σ w² over training (science.md 4.2).</param>
/// <param name="MacsPerImage">Backbone MACs per image per iteration: two views, forward + backward (≈ 3x forward) at every width, plus the teacher's forward.</param>
/// <param name="Widths">The widths of every iteration run (warm-up first), so a reference can repeat them.</param>
public sealed record PretrainStepThroughput(string Sampler, double ImagesPerSecond, double PassesPerIteration, double ExpectedPasses,
    double CostPerIteration, double ExpectedCost, double MacsPerImage, IReadOnlyList<IReadOnlyList<double>> Widths);

/// <summary>
/// Times real US3L iterations (the trainer's width loop: EMA update, teacher, base loss,
/// distillation, a step per width) for each sampler, on random views so data loading and
/// augmentation are not counted. Dynamic sampling "A" is measured across its four phases
/// equally, which is its mean over a whole run.
/// </summary>
public static class PretrainBenchmark
{
    public static IReadOnlyList<(string Label, PretrainConfig Config)> Samplers(PretrainConfig c) => new[]
    {
        ("sandwich-3", c with { Sampler = SamplerKind.Sandwich, NumWidths = 3 }),
        ("sandwich-4", c with { Sampler = SamplerKind.Sandwich, NumWidths = 4 }),
        ("dynamic-a", c with { Sampler = SamplerKind.DynamicA, NumWidths = 3 }),
        ("uniform-3", c with { Sampler = SamplerKind.Uniform, NumWidths = 3 }),
    };

    /// <summary>Measures <paramref name="config"/>'s step with <paramref name="iterationsPerPhase"/> timed iterations in each of 4 epochs.</summary>
    public static PretrainStepThroughput Measure(string label, PretrainConfig config, int iterationsPerPhase = 2, int warmup = 2)
    {
        if (iterationsPerPhase < 1) throw new ArgumentOutOfRangeException(nameof(iterationsPerPhase), "Time at least one iteration per phase.");
        // Four epochs put each of dynamic sampling's phases in one epoch; no kNN monitor.
        var c = config with { Epochs = 4, KnnEvery = -1, MonitorEvery = int.MaxValue };
        using var setup = new TrainingSetup(c);
        var channels = setup.ModelOptions.InChannels;
        var side = setup.Data.Train.Height;
        using var inputs = torch.NewDisposeScope();
        var views = new ViewPair(
            torch.randn(new long[] { c.BatchSize, channels, side, side }).to(setup.Device),
            torch.randn(new long[] { c.BatchSize, channels, side, side }).to(setup.Device));

        var draws = new List<IReadOnlyList<double>>();
        for (var i = 0; i < warmup; i++) draws.Add(setup.Sampler.Next(0).Widths);
        for (var epoch = 0; epoch < 4; epoch++)
            for (var i = 0; i < iterationsPerPhase; i++) draws.Add(setup.Sampler.Next(epoch).Widths);

        var watch = new Stopwatch();
        for (var i = 0; i < draws.Count; i++)
        {
            if (i == warmup) watch.Start();
            setup.Loop.Run(views, draws[i], epoch: 0, iteration: i, monitor: false);
        }
        if (setup.Device.Type == DeviceType.CUDA) torch.cuda.synchronize();
        watch.Stop();

        var timed = draws.Skip(warmup).ToList();
        var backbone = setup.Network.Backbone;
        double Macs(double w) => backbone.Cost(w, side).Macs;
        var rule = TrainingSetup.Rule(c);
        return new PretrainStepThroughput(label,
            c.BatchSize * timed.Count / watch.Elapsed.TotalSeconds,
            timed.Average(ws => ws.Count),
            Enumerable.Range(0, 4).Average(e => rule.ExpectedPasses(e)),
            timed.Average(ws => ws.Sum(w => w * w)),
            Enumerable.Range(0, 4).Average(e => rule.ExpectedCost(e)),
            timed.Average(ws => ws.Sum(w => 2 * 3 * Macs(w))) + 2 * Macs(setup.Loop.TeacherWidth),
            draws);
    }
}
