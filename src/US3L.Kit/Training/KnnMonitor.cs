using US3L.Augmentation;
using US3L.Data;
using US3L.Evaluation;
using US3L.Models;
using US3L.Slimmable;
using US3L.Torch;

namespace US3L.Training;

/// <summary>
/// The per-epoch kNN monitor (science.md 2.2 item 5, 8.1): for each evaluation width, a copy of the
/// online backbone is BN-recalibrated at that width on a few batches of un-augmented train images
/// (science.md 6.3; without it sub-widths look collapsed when they are not), then weighted cosine
/// kNN of the query images against the bank gives top-1. The copy keeps the training model free of
/// running statistics, so checkpoints and resumed runs are not affected by monitoring.
/// </summary>
internal sealed class KnnMonitor
{
    private readonly PretrainConfig config;
    private readonly ImageDataset bank;
    private readonly ImageDataset queries;
    private readonly AugmentationRecipe recipe;
    private readonly Device device;

    public KnnMonitor(PretrainConfig config, ImageDataset bank, ImageDataset queries, string recipe, Device device)
    {
        this.config = config;
        this.bank = bank;
        this.queries = queries;
        this.recipe = AugmentationRecipes.Get(recipe, bank.Height);
        this.device = device;
    }

    /// <summary>kNN top-1 (in [0, 1]) per width of <see cref="PretrainConfig.EvalWidths"/>.</summary>
    public IReadOnlyDictionary<double, double> Evaluate(SlimmableNetwork online, Func<SlimmableNetwork> build)
    {
        var result = new SortedDictionary<double, double>(Comparer<double>.Create((a, b) => b.CompareTo(a)));
        using var copy = build();
        copy.to(device);
        using (torch.NewDisposeScope()) copy.load_state_dict(online.state_dict());
        using var generator = new Generator(config.Seed);
        Tensor Extract(Tensor images)
        {
            using var x = recipe.View1.Apply(images, generator);
            return copy.forward(x);
        }
        var options = new KnnOptions(config.KnnK, 0.1);
        var batch = Math.Min(config.BatchSize, 512);
        foreach (var w in config.EvalWidths)
        {
            if (!copy.TrainedRange.Contains(w)) continue;
            var calibration = new DataLoader(bank, batch, shuffle: true, seed: config.Seed, prefetch: 0, device: device);
            BnCalibration.Calibrate(copy, w, CalibrationBatches(calibration, generator), momentum: null, maxBatches: config.KnnCalibrationBatches);
            using var bankFeatures = FeatureBank.Extract(Extract, bank, copy, batch, device);
            using var queryFeatures = FeatureBank.Extract(Extract, queries, copy, batch, device);
            result[w] = Knn.Evaluate(bankFeatures, queryFeatures, options).Top1;
        }
        return result;
    }

    private IEnumerable<Tensor> CalibrationBatches(DataLoader loader, Generator generator)
    {
        foreach (var b in loader.Epoch(0))
            using (b)
            {
                var x = recipe.View1.Apply(b.Images, generator);
                yield return x;
                x.Dispose();
            }
    }
}
