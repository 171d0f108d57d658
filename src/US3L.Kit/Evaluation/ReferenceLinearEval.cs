using US3L.Augmentation;
using US3L.Data;
using US3L.Models;
using US3L.Slimmable;
using US3L.Torch;
using US3L.Torch.optim;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Evaluation;

/// <summary>The outcome of the reference linear protocol at one width.</summary>
/// <param name="Options">The protocol that ran.</param>
/// <param name="Width">The evaluated width.</param>
/// <param name="FeatureDim">F(w): the features the classifier read.</param>
/// <param name="TrainCount">Training images per epoch.</param>
/// <param name="TestCount">Test images.</param>
/// <param name="TestTop1">Test top-1 after the last epoch, in [0, 1].</param>
/// <param name="TrainTop1">Top-1 on the augmented training batches of the last epoch (the reference's running meter).</param>
/// <param name="EpochLoss">Mean cross-entropy of each epoch.</param>
/// <param name="Validations">Test top-1 after the epochs <see cref="ReferenceLinearOptions.ValidateEvery"/> asks for, and after the last.</param>
/// <param name="CalibrationBatches">Batches the BN calibration forwarded (0 for a network without BatchNorm).</param>
public sealed record ReferenceLinearResult(ReferenceLinearOptions Options, double Width, int FeatureDim, int TrainCount, int TestCount,
    double TestTop1, double TrainTop1, IReadOnlyList<double> EpochLoss, IReadOnlyList<(int Epoch, double Top1)> Validations, int CalibrationBatches);

/// <summary>
/// The official code's linear evaluation at one width (science.md 6.7, <c>workers/linear.py</c>):
/// <list type="number">
/// <item>set the width and recalibrate BN: running statistics reset to 0/1 and updated with EMA
/// weight 0.1 (short profiles: averaged) over train-mode passes of augmented training images, no
/// gradients;</item>
/// <item>freeze the backbone in eval mode (the calibrated statistics stay fixed);</item>
/// <item>train the width's classifier (<see cref="WidthClassifier"/>) by SGD or LARS, each step on
/// a freshly augmented batch run through the frozen backbone, the rate set per epoch;</item>
/// <item>measure top-1 on the test images with the test transform.</item>
/// </list>
/// Unlike the quick probe (<see cref="LinearProbe"/>), features cannot be cached: every epoch sees
/// new crops, so every step runs the backbone.
/// </summary>
public static class ReferenceLinearEval
{
    /// <param name="model">The backbone; it is recalibrated in place and left in eval mode at <paramref name="width"/>.</param>
    /// <param name="width">The width to evaluate (one of an S-Net's listed widths).</param>
    /// <param name="train">Calibration and classifier training images.</param>
    /// <param name="test">Images of the reported top-1.</param>
    /// <param name="options">The protocol, e.g. <see cref="ReferenceLinearOptions.For"/>.</param>
    /// <param name="onBatch">Called after every calibration, training and test batch (progress, cancellation).</param>
    public static ReferenceLinearResult Run(SlimmableNetwork model, double width, ImageDataset train, ImageDataset test,
        ReferenceLinearOptions options, Action? onBatch = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckData(train, test);
        model.CheckWidth(width);
        var o = options;
        var device = model.parameters().First().device;
        var side = train.Height;
        var calibrationView = AugmentationRecipes.Get(o.CalibrationAugmentation, side).View1;
        var trainView = AugmentationRecipes.Get(o.TrainAugmentation, side).View1;
        var testView = AugmentationRecipes.Get(o.TestAugmentation, side).View1;
        using var generator = new Generator(o.Seed);

        var calibrated = Calibrate(model, width, train, o.CalibrationEpochs, o.CalibrationBatches, o.CalibrationBatchSize, o.CalibrationMomentum,
            calibrationView, generator, o.Seed, device, onBatch);

        var features = model.FeatureDim(width);
        using var classifier = new WidthClassifier(model.FeatureDim(1.0), features, train.NumClasses, generator, device);
        using var optimizer = o.Optimizer == LinearOptimizer.Lars
            ? (Optimizer)new LARS(classifier.Parameters, o.LearningRate, o.Momentum, o.WeightDecay, eta: o.LarsTrust, clip_lr: false)
            : new SGD(classifier.Parameters, o.LearningRate, o.Momentum, weight_decay: o.WeightDecay);
        var loader = new DataLoader(train, o.BatchSize, shuffle: true, seed: o.Seed, device: device);
        model.eval();
        var losses = new List<double>(o.Epochs);
        var validations = new List<(int, double)>();
        double trainTop1 = 0;
        for (var epoch = 0; epoch < o.Epochs; epoch++)
        {
            foreach (var g in optimizer.param_groups) g.lr = o.RateAt(epoch);
            double lossSum = 0;
            long correct = 0, seen = 0;
            foreach (var batch in loader.Epoch(epoch))
                using (batch)
                using (torch.NewDisposeScope())
                {
                    Tensor frozen;
                    using (torch.no_grad())
                    {
                        using var x = trainView.Apply(batch.Images, generator);
                        frozen = model.forward(x);
                    }
                    var logits = classifier.Forward(frozen);
                    var loss = F.cross_entropy(logits, batch.Labels);
                    optimizer.zero_grad();
                    loss.backward();
                    optimizer.step();
                    lossSum += loss.item<float>() * batch.Size;
                    using (torch.no_grad()) correct += logits.argmax(1).eq(batch.Labels).sum().item<long>();
                    seen += batch.Size;
                    onBatch?.Invoke();
                }
            losses.Add(lossSum / seen);
            trainTop1 = (double)correct / seen;
            if (o.ValidationEpochs().Contains(epoch))
                validations.Add((epoch, Accuracy(model, classifier.Forward, test, testView, o.BatchSize, generator, device, onBatch)));
        }
        return new ReferenceLinearResult(o, width, features, train.Count, test.Count, validations[^1].Item2, trainTop1, losses, validations, calibrated);
    }

    /// <summary>
    /// BN calibration at <paramref name="width"/> (science.md 6.3): <paramref name="epochs"/> shuffled
    /// passes over <paramref name="images"/>, or <paramref name="batches"/> batches when given, each
    /// batch augmented by <paramref name="view"/>, the running statistics an EMA of weight
    /// <paramref name="momentum"/> from 0/1 (null: the cumulative average). Returns the batches used.
    /// </summary>
    internal static int Calibrate(SlimmableNetwork model, double width, ImageDataset images, int epochs, int? batches, int batchSize,
        double? momentum, Augmentation.Augmentation view, Generator generator, long seed, Device device, Action? onBatch)
    {
        if (batches is null && epochs == 0)
        {
            model.SetWidth(width);
            model.eval();
            return 0;
        }
        var loader = new DataLoader(images, Math.Min(batchSize, images.Count), shuffle: true, seed: seed + 1, device: device);
        IEnumerable<Tensor> Inputs()
        {
            for (var epoch = 0; batches is not null || epoch < epochs; epoch++)
                foreach (var batch in loader.Epoch(epoch))
                    using (batch)
                    {
                        var x = view.Apply(batch.Images, generator);
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
        return BnCalibration.Calibrate(model, width, Inputs(), momentum, batches);
    }

    /// <summary>Top-1 of <paramref name="head"/> on the backbone's features of <paramref name="test"/> (eval mode, test transform).</summary>
    internal static double Accuracy(SlimmableNetwork model, Func<Tensor, Tensor> head, ImageDataset test, Augmentation.Augmentation view,
        int batchSize, Generator generator, Device device, Action? onBatch)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        long correct = 0;
        foreach (var batch in new DataLoader(test, batchSize, shuffle: false, device: device).Epoch(0))
            using (batch)
            using (torch.NewDisposeScope())
            {
                var x = view.Apply(batch.Images, generator);
                correct += head(model.forward(x)).argmax(1).eq(batch.Labels).sum().item<long>();
                onBatch?.Invoke();
            }
        return (double)correct / test.Count;
    }

    internal static void CheckData(ImageDataset train, ImageDataset test)
    {
        if (train.NumClasses != test.NumClasses)
            throw new ArgumentException($"Train '{train.Name}' has {train.NumClasses} classes, test '{test.Name}' has {test.NumClasses}.");
        if (train.Count == 0 || test.Count == 0)
            throw new ArgumentException($"The evaluation needs training and test images; '{train.Name}' has {train.Count}, '{test.Name}' has {test.Count}.");
        if (train.Channels != test.Channels || train.Height != test.Height)
            throw new ArgumentException($"Train '{train.Name}' ({train.Channels}x{train.Height}x{train.Width}) and test '{test.Name}' ({test.Channels}x{test.Height}x{test.Width}) differ in shape.");
    }
}
