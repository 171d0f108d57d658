using System.Text.Json;
using US3L.Training;
using Xunit.Abstractions;

namespace US3L.Tests.Training;

/// <summary>
/// Experiment E1 of science.md 8.2 at test budget: the naive US adaptation (SimSiam + in-place
/// distillation onto the online max output through the shared predictor, a step per width) against
/// US3L-BYOL and the randomly initialized network, on 2000 Fashion-MNIST images, batch 128, 3 epochs
/// of 15 iterations, sandwich 3 widths, kNN k = 20 on 1000 test images after BN recalibration.
/// <para>
/// Full collapse is NOT reproduced at this budget, nor at 8 epochs (120 iterations), nor with lr 0.2
/// or without weight decay (measured, seed 3): the naive loss falls towards −1 (−0.80 to −0.87 at
/// max and min width) but the backbone keeps its information: naive kNN 0.70 / 0.68 / 0.67 at widths
/// 1.0 / 0.5 / 0.25, above the random-init reference (0.57 / 0.57 / 0.47) and above US3L-BYOL
/// (0.57 / 0.56 / 0.58). The projector meter of SimSiam reads "healthy" (level 0.01-0.03) whatever
/// happens, because its final BN without affine re-standardizes every output dimension; the
/// backbone meter (pooled f^w(x)) is the one that can move (level ≈ 0.4 trained, 0.58 at init).
/// </para>
/// <para>
/// Longer runs did not collapse either (the short recipe with batch 128, 6 epochs = 234 iterations
/// on 5000 images, seed 3; final kNN at 1.0 / 0.25): as recipe 0.744 / 0.737; lr 0.3 without
/// weight decay 0.718 / 0.703 (the projector's effective rank fell to ≈ 12 of 128, a dimensional
/// narrowing, but kNN still rose every epoch); a 256-wide projector output and predictor, so the
/// predictor has no bottleneck as in the reference config, 0.747 / 0.730; sandwich with 4 widths
/// 0.741 / 0.725; 10,000 images (468 iterations, loss −0.92) 0.744 / 0.743, and over 20 epochs
/// (1560 iterations, 26 min) 0.786 / 0.777, rising through epoch 17; and US-MobileNetV2,
/// the reference config's architecture, on 2000 images (186 iterations of 64) 0.688 / 0.663,
/// where its random init gives 0.22 / 0.16.
/// </para>
/// So the test asserts what was measured to be robust, with margins: the naive loss heads for the
/// floor, the projector meter is pinned by the affine-free BN (why collapse must be read on the
/// backbone), both meters are logged per width, and neither arm's sub-network falls to chance.
/// </summary>
public class CollapseRunTests(ITestOutputHelper output)
{
    private static PretrainConfig Base => Designs.CpuBase with
    {
        TrainSubset = 2000, BatchSize = 128, Epochs = 3, KnnSubset = 1000, KnnEvery = 0, KnnK = 20,
        EvalWidths = new[] { 1.0, 0.25 }, MonitorEvery = 5, Seed = 3, KnnCalibrationBatches = 4,
    };

    [Fact]
    public void NaiveSimSiamLossNearsFloorWhileProjectorMeterIsPinnedAndNoArmFallsToChance()
    {
        var naive = Measure(Designs.Get("naive-us-simsiam", Base));
        var us3l = Measure(Designs.Get("us3l-byol", Base));
        // Learning rate 0 and no weight decay: one epoch that leaves the initialization untouched.
        var random = Measure(Designs.Get("us3l-byol", Base) with { Lr = 0, WeightDecay = 0, Epochs = 1 });
        output.WriteLine($"naive:  {naive}");
        output.WriteLine($"us3l:   {us3l}");
        output.WriteLine($"random: {random}");

        // Loss floor (science.md 2.2 item 2): measured −0.83 / −0.81; the untrained network sits near 0.
        Assert.True(naive.MaxLoss < -0.6 && naive.MinLoss < -0.6, $"naive SimSiam loss should head for −1, got {naive.MaxLoss:F3} / {naive.MinLoss:F3}");
        // SimSiam's affine-free final BN standardizes every projector dimension over the batch, so
        // s·√d stays ≈ 1 (level ≈ 0.02 measured): the projector meter cannot show collapse here.
        Assert.True(naive.ProjectorLevelMax < 0.1 && naive.ProjectorLevelMin < 0.1,
            $"the projector meter after an affine-free BN should stay near 0, got {naive.ProjectorLevelMax:F3} / {naive.ProjectorLevelMin:F3}");
        Assert.True(us3l.ProjectorLevelMin > naive.ProjectorLevelMin, "BYOL's projector has no final BN, so its meter is free to move");
        // The backbone meter is logged at every width and is not pinned (measured 0.41-0.45 trained, 0.58 at init).
        Assert.All(new[] { naive, us3l, random }, s => Assert.InRange(s.BackboneLevelMin, 0.2, 0.95));
        // No collapse to chance (10 %) at this budget: measured naive 0.70 / 0.67, US3L 0.57 / 0.58, init 0.57 / 0.47.
        Assert.True(naive.Knn025 > random.Knn025 + 0.05, $"measured: naive's 0.25× kNN stays above the random-init floor ({naive.Knn025:F3} vs {random.Knn025:F3})");
        Assert.True(us3l.Knn025 > 0.4 && us3l.Knn100 > 0.4, $"US3L's kNN must be well above chance, got {us3l.Knn100:F3} / {us3l.Knn025:F3}");
    }

    private static Summary Measure(PretrainConfig config)
    {
        var dir = TinyRuns.NewDir();
        using var run = Pretrainer.Start(config, dir);
        var result = run.Train();
        var iterations = TinyRuns.Iterations(dir);
        List<JsonElement> LastMeter(string key) => iterations
            .Last(l => l.TryGetProperty(key, out var c) && c.ValueKind == JsonValueKind.Array)
            .GetProperty(key).EnumerateArray().ToList();
        var projector = LastMeter("collapse");
        var backbone = LastMeter("collapse_backbone");
        var losses = iterations.TakeLast(5).Select(l => TinyRuns.Doubles(l, "loss")).ToList();
        return new Summary(losses.Average(l => l[0]), losses.Average(l => l[^1]),
            projector[0].GetProperty("level").GetDouble(), projector[^1].GetProperty("level").GetDouble(),
            backbone[^1].GetProperty("level").GetDouble(), result.Knn![1.0], result.Knn[0.25]);
    }

    private sealed record Summary(double MaxLoss, double MinLoss, double ProjectorLevelMax, double ProjectorLevelMin,
        double BackboneLevelMin, double Knn100, double Knn025);
}
