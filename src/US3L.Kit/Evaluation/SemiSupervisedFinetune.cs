using US3L.Augmentation;
using US3L.Data;
using US3L.Models;
using US3L.Torch;
using US3L.Torch.nn;
using US3L.Torch.optim;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Evaluation;

/// <summary>The outcome of semi-supervised fine-tuning at one width.</summary>
/// <param name="Options">The protocol that ran.</param>
/// <param name="Width">The fine-tuned width.</param>
/// <param name="FeatureDim">F(w): the features the classifier read.</param>
/// <param name="LabelCount">Labelled training images used.</param>
/// <param name="TestTop1">Test top-1 after the last epoch, in [0, 1].</param>
/// <param name="TestCount">Test images.</param>
/// <param name="TrainTop1">Top-1 on the augmented labelled batches of the last epoch.</param>
/// <param name="EpochLoss">Mean cross-entropy of each epoch.</param>
public sealed record SemiSupervisedResult(SemiSupervisedOptions Options, double Width, int FeatureDim, int LabelCount, int TestCount,
    double TestTop1, double TrainTop1, IReadOnlyList<double> EpochLoss);

/// <summary>
/// Semi-supervised fine-tuning at one width (science.md 6.8): the backbone set to the width, its BN
/// running statistics switched on and set by train-mode passes over the labelled images, then the
/// whole backbone and a new classifier (<see cref="WidthClassifier"/>) trained together in train
/// mode, SGD with one rate for the backbone and one for the classifier, both scaled by the same
/// multistep factor; test top-1 in eval mode with the test transform.
/// </summary>
public static class SemiSupervisedFinetune
{
    /// <param name="model">A fresh copy of the pretrained backbone: fine-tuning changes its weights.</param>
    /// <param name="width">The width to fine-tune (one of an S-Net's listed widths).</param>
    /// <param name="labelled">The labelled images (see <see cref="LabelFraction"/>).</param>
    /// <param name="test">Images of the reported top-1.</param>
    /// <param name="options">The protocol, e.g. <see cref="SemiSupervisedOptions.For"/>.</param>
    /// <param name="onBatch">Called after every calibration, training and test batch.</param>
    public static SemiSupervisedResult Run(SlimmableNetwork model, double width, ImageDataset labelled, ImageDataset test,
        SemiSupervisedOptions options, Action? onBatch = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(labelled);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.CalibrationEpochs < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "Fine-tuning needs CalibrationEpochs >= 1: the calibration also switches the BN running statistics on.");
        ReferenceLinearEval.CheckData(labelled, test);
        model.CheckWidth(width);
        var o = options;
        var device = model.parameters().First().device;
        var side = labelled.Height;
        var trainView = AugmentationRecipes.Get(o.TrainAugmentation, side).View1;
        var testView = AugmentationRecipes.Get(o.TestAugmentation, side).View1;
        using var generator = new Generator(o.Seed);

        ReferenceLinearEval.Calibrate(model, width, labelled, o.CalibrationEpochs, null, o.BatchSize, null, trainView, generator, o.Seed, device, onBatch);
        // Fine-tuning moves the weights, so from here on the statistics follow them as PyTorch's BN does: EMA 0.1.
        foreach (var bn in model.modules().OfType<BatchNormBase>()) bn.momentum = 0.1;

        var features = model.FeatureDim(width);
        using var classifier = new WidthClassifier(model.FeatureDim(1.0), features, labelled.NumClasses, generator, device);
        var backbone = model.parameters().Where(p => p.requires_grad).ToList();
        var groups = new[]
        {
            new ParamGroup(backbone, new() { ["lr"] = o.BackboneLr }),
            new ParamGroup(classifier.Parameters, new() { ["lr"] = o.HeadLr }),
        };
        var rates = new[] { o.BackboneLr, o.HeadLr };
        using var optimizer = new SGD(groups, o.BackboneLr, o.Momentum, weight_decay: o.WeightDecay);
        var loader = new DataLoader(labelled, Math.Min(o.BatchSize, labelled.Count), shuffle: true, seed: o.Seed, device: device);
        var losses = new List<double>(o.Epochs);
        double trainTop1 = 0;
        for (var epoch = 0; epoch < o.Epochs; epoch++)
        {
            var factor = o.FactorAt(epoch);
            for (var i = 0; i < rates.Length; i++) optimizer.param_groups[i].lr = rates[i] * factor;
            model.train();
            double lossSum = 0;
            long correct = 0, seen = 0;
            foreach (var batch in loader.Epoch(epoch))
                using (batch)
                using (torch.NewDisposeScope())
                {
                    var x = trainView.Apply(batch.Images, generator);
                    var logits = classifier.Forward(model.forward(x));
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
        }
        var top1 = ReferenceLinearEval.Accuracy(model, classifier.Forward, test, testView, Math.Max(o.BatchSize, 256), generator, device, onBatch);
        return new SemiSupervisedResult(o, width, features, labelled.Count, test.Count, top1, trainTop1, losses);
    }
}
