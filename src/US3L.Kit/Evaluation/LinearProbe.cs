using US3L.Torch;
using US3L.Torch.nn;
using US3L.Torch.optim;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Evaluation;

/// <summary>How the probe's learning rate decays over the epochs.</summary>
public enum ProbeSchedule
{
    /// <summary>Per-epoch cosine from the base rate to 0 (science.md 6.4, ImageNet/ViT recipes).</summary>
    Cosine,
    /// <summary>×0.1 at 60 % and 80 % of the epochs: the CIFAR recipe's 60/80 of 100 (science.md 6.4).</summary>
    MultiStep,
}

/// <summary>
/// Settings of the linear probe. The paper's CIFAR recipe (science.md 6.4) is SGD momentum 0.9,
/// WD 0, lr 30, batch 512, 100 epochs, multistep; the defaults here are the short CPU schedule of
/// science.md 8.1 (20-30 epochs, no augmentation) with standardised features, for which lr 0.1 is
/// stable [D]. Without standardisation, raise the rate to the scale of the features.
/// </summary>
/// <param name="Epochs">Passes over the training features.</param>
/// <param name="BatchSize">Mini-batch size.</param>
/// <param name="LearningRate">Base rate of the schedule.</param>
/// <param name="Momentum">SGD momentum, 0.9 in every recipe of the paper.</param>
/// <param name="Nesterov">Nesterov momentum (off in the paper's recipes).</param>
/// <param name="WeightDecay">0 in every linear-eval recipe of the paper.</param>
/// <param name="Schedule">Cosine or multistep decay.</param>
/// <param name="Standardize">Centre and scale each feature with the training set's mean and std.</param>
/// <param name="FeatureCount">Read only the first F(w) features (science.md 1.3); null reads all.</param>
/// <param name="Seed">Seeds the classifier's initialisation and the mini-batch order.</param>
public sealed record LinearProbeOptions(
    int Epochs = 20,
    int BatchSize = 256,
    double LearningRate = 0.1,
    double Momentum = 0.9,
    bool Nesterov = false,
    double WeightDecay = 0,
    ProbeSchedule Schedule = ProbeSchedule.Cosine,
    bool Standardize = true,
    int? FeatureCount = null,
    long Seed = 0)
{
    internal void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), $"The linear probe needs at least one epoch, got {Epochs}.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), $"The probe's batch size must be positive, got {BatchSize}.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), $"The probe's learning rate must be positive and finite, got {LearningRate}.");
        if (Momentum is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Momentum), $"Momentum must be in [0, 1), got {Momentum}.");
        if (Nesterov && Momentum == 0) throw new ArgumentException("Nesterov momentum needs Momentum > 0.");
        if (WeightDecay < 0) throw new ArgumentOutOfRangeException(nameof(WeightDecay), $"Weight decay must be >= 0, got {WeightDecay}.");
        if (FeatureCount is < 1) throw new ArgumentOutOfRangeException(nameof(FeatureCount), $"FeatureCount must be positive, got {FeatureCount}.");
    }
}

/// <summary>Top-1 accuracy of a trained probe on its training and test features, and the loss of each epoch.</summary>
public sealed record LinearProbeResult(LinearProbeOptions Options, double TrainTop1, double TestTop1, int Dim,
    IReadOnlyList<double> EpochLoss);

/// <summary>
/// Linear evaluation on frozen features (science.md 6.4): Linear(F → classes) with PyTorch's default
/// initialisation, trained by SGD with cross entropy. The features are computed once per width
/// (<see cref="FeatureBank"/>): the backbone is frozen and stays in eval mode, so recomputing them
/// every epoch would give the same numbers. No augmentation (science.md 8.1).
/// </summary>
public static class LinearProbe
{
    public static LinearProbeResult Fit(FeatureBank train, FeatureBank test, LinearProbeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        var o = options ?? new LinearProbeOptions();
        o.Validate();
        if (train.Dim != test.Dim)
            throw new ArgumentException($"Linear probe: train '{train.Name}' has {train.Dim} features, test '{test.Name}' has {test.Dim}.");
        if (train.NumClasses != test.NumClasses)
            throw new ArgumentException($"Linear probe: train '{train.Name}' has {train.NumClasses} classes, test '{test.Name}' has {test.NumClasses}.");
        var dim = o.FeatureCount ?? train.Dim;
        if (dim > train.Dim)
            throw new ArgumentOutOfRangeException(nameof(options), $"Linear probe: FeatureCount {dim} exceeds the {train.Dim} features of '{train.Name}'.");

        using var scope = torch.NewDisposeScope();
        var device = train.Features.device;
        var (xTrain, xTest) = Inputs(train, test, dim, o.Standardize);
        var yTrain = train.Labels;
        var yTest = test.Labels.to(device);

        using var generator = new Generator(o.Seed);
        using var classifier = new Linear(dim, train.NumClasses, generator: generator);
        classifier.to(device);
        using var sgd = new SGD(classifier.parameters(), o.LearningRate, o.Momentum, weight_decay: o.WeightDecay, nesterov: o.Nesterov);
        LRScheduler schedule = o.Schedule == ProbeSchedule.Cosine
            ? new CosineAnnealingLR(sgd, o.Epochs)
            : new MultiStepLR(sgd, new long[] { (long)Math.Round(0.6 * o.Epochs), (long)Math.Round(0.8 * o.Epochs) });

        var n = train.Count;
        var losses = new List<double>(o.Epochs);
        for (var epoch = 0; epoch < o.Epochs; epoch++)
        {
            using var epochScope = torch.NewDisposeScope();
            var order = torch.randperm(n, ScalarType.Int64, generator: generator).to(device);
            double sum = 0;
            for (var start = 0; start < n; start += o.BatchSize)
            {
                using var step = torch.NewDisposeScope();
                var b = Math.Min(o.BatchSize, n - start);
                var idx = order.narrow(0, start, b);
                var loss = F.cross_entropy(classifier.forward(xTrain.index_select(0, idx)), yTrain.index_select(0, idx));
                sgd.zero_grad();
                loss.backward();
                sgd.step();
                sum += loss.item<float>() * b;
            }
            losses.Add(sum / n);
            schedule.step();
        }

        return new LinearProbeResult(o, Accuracy(classifier, xTrain, yTrain, o.BatchSize),
            Accuracy(classifier, xTest, yTest, o.BatchSize), dim, losses);
    }

    /// <summary>The first <paramref name="dim"/> features of both sets, standardised with the training statistics if asked.</summary>
    private static (Tensor train, Tensor test) Inputs(FeatureBank train, FeatureBank test, int dim, bool standardize)
    {
        using var noGrad = torch.no_grad();
        var device = train.Features.device;
        var xTrain = train.Features.narrow(1, 0, dim).to(ScalarType.Float32);
        var xTest = test.Features.narrow(1, 0, dim).to(ScalarType.Float32, device);
        if (!standardize) return (xTrain, xTest);
        var mean = xTrain.mean(0, keepdim: true);
        // Constant features (e.g. always-black border pixels) have std 0; they stay 0 after centring.
        var std = xTrain.std(0, unbiased: false, keepdim: true).clamp_min(1e-6);
        return (xTrain.sub(mean).div(std), xTest.sub(mean).div(std));
    }

    private static double Accuracy(Linear classifier, Tensor x, Tensor y, int batchSize)
    {
        using var noGrad = torch.no_grad();
        long correct = 0;
        var n = x.size(0);
        for (long start = 0; start < n; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            var b = Math.Min(batchSize, n - start);
            var predicted = classifier.forward(x.narrow(0, start, b)).argmax(1);
            correct += predicted.eq(y.narrow(0, start, b)).sum().item<long>();
        }
        return (double)correct / n;
    }
}
