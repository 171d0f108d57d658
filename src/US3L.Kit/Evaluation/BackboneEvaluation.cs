using US3L.Augmentation;
using US3L.Data;
using US3L.Models;
using US3L.Slimmable;
using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Evaluation;

/// <summary>
/// Per-width evaluation of a slimmable backbone on an image dataset (science.md 6.3, 6.4, 8.1):
/// for each width, BN statistics are recalibrated on shuffled training batches (cumulative
/// average, so every batch weighs the same), then train and test features are extracted in eval
/// mode and kNN and, optionally, the linear probe run on them. With zero calibration batches the
/// model's stored statistics are used as they are. Images are normalized with the dataset's
/// mean and std; nothing is augmented.
/// </summary>
public sealed class BackboneEvaluation : IDisposable
{
    private readonly Generator generator = new(0);
    private readonly Normalize normalize;

    /// <summary>Evaluates <paramref name="model"/> with <paramref name="train"/> as the kNN bank / probe training set
    /// and <paramref name="test"/> as queries; <paramref name="calibrationBatches"/> batches of
    /// <paramref name="batchSize"/> recalibrate BN per width (0 keeps the stored statistics; a
    /// network without BatchNorm never calibrates).</summary>
    public BackboneEvaluation(SlimmableNetwork model, InMemoryImageDataset train, InMemoryImageDataset test, int batchSize, int calibrationBatches)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), $"Batch size must be positive, got {batchSize}.");
        if (calibrationBatches < 0) throw new ArgumentOutOfRangeException(nameof(calibrationBatches), "Calibration batches cannot be negative.");
        Model = model;
        Train = train;
        Test = test;
        BatchSize = batchSize;
        HasBatchNorm = model.modules().OfType<BatchNormBase>().Any();
        CalibrationBatches = HasBatchNorm ? calibrationBatches : 0;
        normalize = Normalization(train);
    }

    public SlimmableNetwork Model { get; }
    public InMemoryImageDataset Train { get; }
    public InMemoryImageDataset Test { get; }
    public int BatchSize { get; }
    /// <summary>False for a network without BatchNorm (the US-ViT), which has no statistics to recalibrate.</summary>
    public bool HasBatchNorm { get; }

    public int CalibrationBatches { get; }
    public bool Calibrates => CalibrationBatches > 0;

    /// <summary>Batches processed per width: calibration, then train and test feature extraction.</summary>
    public int StepsPerWidth => CalibrationBatches + Batches(Train.Count) + Batches(Test.Count);

    /// <summary>The normalization of a dataset: Fashion-MNIST statistics for one channel, CIFAR's for three.</summary>
    public static Normalize Normalization(ImageDataset dataset) => dataset.Channels == 1
        ? new Normalize(Normalize.FashionMnistMean, Normalize.FashionMnistStd)
        : new Normalize(Normalize.CifarMean, Normalize.CifarStd);

    /// <summary>Sets the width and, when calibrating, recalibrates BN for it; the model is left in eval mode.</summary>
    public void Prepare(double width, Action? onBatch = null)
    {
        if (!Calibrates)
        {
            Model.SetWidth(width);
            Model.eval();
            return;
        }
        BnCalibration.Calibrate(Model, width, CalibrationInputs(onBatch), momentum: null, maxBatches: CalibrationBatches);
    }

    /// <summary>Per width: <see cref="Prepare"/>, extract train and test features, then kNN and the probe of <paramref name="options"/>.</summary>
    public IReadOnlyList<WidthPoint> Sweep(IReadOnlyList<double> widths, WidthSweepOptions options, Action<double>? onWidth = null, Action? onBatch = null)
    {
        var trainLoader = new DataLoader(Train, BatchSize, shuffle: false);
        var testLoader = new DataLoader(Test, BatchSize, shuffle: false);
        var side = Train.Height;
        var sweep = options with { Macs = options.Macs ?? (w => Model.Cost(w, side).Macs) };
        Tensor Features(Tensor images)
        {
            using var x = normalize.Apply(images, generator);
            var f = Model.forward(x);
            onBatch?.Invoke();
            return f;
        }
        return WidthSweep.Run(Features, trainLoader, testLoader, widths, sweep, w =>
        {
            onWidth?.Invoke(w);
            Prepare(w, onBatch);
        }, Model);
    }

    /// <summary>Normalized training batches in a shuffled order, cycling over epochs as long as calibration asks.</summary>
    private IEnumerable<Tensor> CalibrationInputs(Action? onBatch)
    {
        // A ragged last batch would weigh as much as a full one in the cumulative average.
        var loader = new DataLoader(Train, Math.Min(BatchSize, Train.Count), shuffle: true, seed: 0, dropLast: true);
        for (var epoch = 0; ; epoch++)
            foreach (var batch in loader.Epoch(epoch))
                using (batch)
                {
                    var x = normalize.Apply(batch.Images, generator);
                    try
                    {
                        yield return x;
                    }
                    finally
                    {
                        x.Dispose();
                    }
                    onBatch?.Invoke();
                }
    }

    private int Batches(int count) => (count + BatchSize - 1) / BatchSize;

    public void Dispose() => generator.Dispose();
}
