namespace US3L.Evaluation;

/// <summary>The optimizer of the reference linear evaluation (science.md 6.7).</summary>
public enum LinearOptimizer
{
    /// <summary>SGD with momentum: the CIFAR setting.</summary>
    Sgd,
    /// <summary>LARS (trust coefficient 0.001, no clipping) around SGD: the ImageNet setting.</summary>
    Lars,
}

/// <summary>
/// The lengths an evaluation protocol comes in: <c>smoke</c> (seconds, a pipeline check for the
/// tests), <c>short</c> (minutes on a CPU) and <c>full</c> (the reference's own numbers).
/// </summary>
public static class EvalProfiles
{
    public static IReadOnlyList<string> Names { get; } = new[] { "smoke", "short", "full" };

    /// <summary>Throws unless <paramref name="profile"/> is one of <see cref="Names"/>.</summary>
    public static string Check(string profile) => Names.Contains(profile)
        ? profile
        : throw new ArgumentException($"Unknown evaluation profile '{profile}'; expected one of {string.Join(", ", Names)}.");

    /// <summary>The reference's milestones at 60 % and 80 % of the epochs (60 and 80 of 100), for a shorter run.</summary>
    public static int[] Milestones(int epochs) =>
        new[] { (int)Math.Round(0.6 * epochs), (int)Math.Round(0.8 * epochs) }.Where(m => m > 0 && m < epochs).Distinct().ToArray();
}

/// <summary>
/// The official code's linear evaluation (science.md 6.7, <c>workers/linear.py</c>): BN statistics
/// recalibrated at the evaluated width first, then a linear classifier on the frozen backbone (eval
/// mode) trained with augmentation through the backbone at every step. The <c>full</c> profiles are
/// the reference's numbers, each cited in science.md 6.7; <c>short</c> and <c>smoke</c> keep the
/// method and shrink only the length [D].
/// </summary>
public sealed record ReferenceLinearOptions
{
    /// <summary>"cifar" (SGD lr 30, multistep) or "imagenet" (LARS lr 0.8, cosine).</summary>
    public required string Setting { get; init; }
    public required string Profile { get; init; }
    public required int Epochs { get; init; }
    /// <summary>
    /// Global batch: the reference's per-GPU batch times its 4 GPUs. The short profiles take smaller
    /// batches, so that the few epochs a CPU affords still give the classifier hundreds of steps [D].
    /// </summary>
    public required int BatchSize { get; init; }
    public required double LearningRate { get; init; }
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; }
    public required ProbeSchedule Schedule { get; init; }
    /// <summary>Epochs at which a multistep schedule multiplies the rate by 0.1.</summary>
    public IReadOnlyList<int> Milestones { get; init; } = Array.Empty<int>();
    public LinearOptimizer Optimizer { get; init; } = LinearOptimizer.Sgd;
    /// <summary>LARS trust coefficient (apex LARC's trust_coefficient).</summary>
    public double LarsTrust { get; init; } = 0.001;
    /// <summary>Full passes over the training set in train mode before the probe (CIFAR: 3); ignored when <see cref="CalibrationBatches"/> is set.</summary>
    public int CalibrationEpochs { get; init; }
    /// <summary>A fixed number of calibration batches instead of whole epochs (ImageNet: 501), or null.</summary>
    public int? CalibrationBatches { get; init; }
    /// <summary>Batch size of the calibration passes: the reference's per-GPU batch, over which its BN statistics are taken.</summary>
    public required int CalibrationBatchSize { get; init; }
    /// <summary>
    /// EMA weight of each calibration batch in the running statistics: PyTorch's BN default 0.1 in
    /// the reference; null averages all batches alike (cumulative). An EMA forgets the initial 0/1
    /// statistics only after many batches (0.9^n of them remains after n), which the reference's
    /// three passes over 50k images give and a short run does not, so the short profiles average
    /// cumulatively [D].
    /// </summary>
    public double? CalibrationMomentum { get; init; } = 0.1;
    /// <summary>Single-view augmentation recipe of the calibration passes.</summary>
    public required string CalibrationAugmentation { get; init; }
    /// <summary>Single-view augmentation recipe of the training steps.</summary>
    public required string TrainAugmentation { get; init; }
    /// <summary>Single-view recipe of the test images.</summary>
    public required string TestAugmentation { get; init; }
    /// <summary>Also measure test top-1 after these epochs (the reference: every 20th), besides the last.</summary>
    public int ValidateEvery { get; init; }
    /// <summary>Seeds the classifier's initialisation, the batch order and the augmentation.</summary>
    public long Seed { get; init; }

    /// <summary>
    /// The reference protocol for <paramref name="dataset"/> at <paramref name="profile"/>:
    /// fashion-mnist, cifar10, cifar100 and synthetic take the CIFAR setting (Fashion-MNIST with its
    /// own 28x28 grayscale recipes [D]), image-folder and imagenet the ImageNet setting.
    /// </summary>
    public static ReferenceLinearOptions For(string dataset, string profile, long seed = 0)
    {
        EvalProfiles.Check(profile);
        return dataset switch
        {
            "fashion-mnist" => Cifar(profile, seed) with
            {
                CalibrationAugmentation = "linear-eval-fashion-mnist", TrainAugmentation = "linear-eval-fashion-mnist",
                TestAugmentation = "linear-eval-fashion-mnist-test",
            },
            "cifar10" or "cifar100" or "synthetic" => Cifar(profile, seed),
            "image-folder" or "imagenet" => ImageNet(profile, seed),
            _ => throw new ArgumentException($"No reference linear protocol for data set '{dataset}'; expected fashion-mnist, cifar10, cifar100, synthetic, image-folder or imagenet."),
        };
    }

    /// <summary>
    /// CIFAR (science.md 6.7): SGD momentum 0.9, WD 0, lr 30, ×0.1 at epochs 60 and 80 of 100, batch
    /// 128 × 4 GPUs, BN calibrated by 3 train-mode passes over the training set with the training
    /// augmentation (statistics per GPU batch of 128), test top-1 every 20 epochs and at the last.
    /// </summary>
    public static ReferenceLinearOptions Cifar(string profile, long seed = 0)
    {
        var (epochs, batch, calibrationBatch, calibrationEpochs, validateEvery) = EvalProfiles.Check(profile) switch
        {
            "full" => (100, 512, 128, 3, 20),
            "short" => (10, 64, 128, 1, 0),
            _ => (2, 32, 64, 1, 0),
        };
        return new ReferenceLinearOptions
        {
            Setting = "cifar", Profile = profile, Epochs = epochs, BatchSize = batch, LearningRate = 30, Momentum = 0.9, WeightDecay = 0,
            Schedule = ProbeSchedule.MultiStep, Milestones = profile == "full" ? new[] { 60, 80 } : EvalProfiles.Milestones(epochs),
            Optimizer = LinearOptimizer.Sgd, CalibrationEpochs = calibrationEpochs, CalibrationBatchSize = calibrationBatch,
            CalibrationMomentum = profile == "full" ? 0.1 : null,
            CalibrationAugmentation = "linear-eval-cifar", TrainAugmentation = "linear-eval-cifar", TestAugmentation = "linear-eval-cifar-test",
            ValidateEvery = validateEvery, Seed = seed,
        };
    }

    /// <summary>
    /// ImageNet (science.md 6.7): LARS (trust 0.001, no clipping) around SGD momentum 0.9, WD 0, lr
    /// 0.8, per-epoch cosine over 60 epochs, batch 256 × 4 GPUs; BN calibrated beforehand on 501
    /// batches of 128 with the SSL views (the separate calibrate job).
    /// </summary>
    public static ReferenceLinearOptions ImageNet(string profile, long seed = 0)
    {
        var (epochs, batch, calibrationBatches, calibrationBatch, validateEvery) = EvalProfiles.Check(profile) switch
        {
            "full" => (60, 1024, 501, 128, 20),
            "short" => (6, 256, 20, 128, 0),
            _ => (2, 32, 2, 32, 0),
        };
        return new ReferenceLinearOptions
        {
            Setting = "imagenet", Profile = profile, Epochs = epochs, BatchSize = batch, LearningRate = 0.8, Momentum = 0.9, WeightDecay = 0,
            Schedule = ProbeSchedule.Cosine, Optimizer = LinearOptimizer.Lars, LarsTrust = 0.001,
            CalibrationBatches = calibrationBatches, CalibrationBatchSize = calibrationBatch, CalibrationMomentum = profile == "full" ? 0.1 : null,
            CalibrationAugmentation = "calibrate-imagenet",
            TrainAugmentation = "linear-eval-imagenet", TestAugmentation = "linear-eval-imagenet-test", ValidateEvery = validateEvery, Seed = seed,
        };
    }

    /// <summary>The learning rate of epoch <paramref name="epoch"/> (0-based): the reference's adjust_learning_rate.</summary>
    public double RateAt(int epoch) => Schedule == ProbeSchedule.Cosine
        ? LearningRate * 0.5 * (1 + Math.Cos(Math.PI * epoch / Epochs))
        : LearningRate * Math.Pow(0.1, Milestones.Count(m => epoch >= m));

    /// <summary>The epochs after which test top-1 is measured: every <see cref="ValidateEvery"/>-th (from the first multiple) and the last.</summary>
    public IEnumerable<int> ValidationEpochs() =>
        Enumerable.Range(0, Epochs).Where(e => e == Epochs - 1 || (ValidateEvery > 0 && e > 0 && e % ValidateEvery == 0));

    /// <summary>Batches one width runs through the backbone (calibration, training, tests), for progress bars.</summary>
    public long BatchesPerWidth(int trainCount, int testCount)
    {
        static long Batches(int n, int batch) => (n + batch - 1) / batch;
        var calibration = CalibrationBatches ?? CalibrationEpochs * Batches(trainCount, Math.Min(CalibrationBatchSize, trainCount));
        return calibration + Epochs * Batches(trainCount, BatchSize) + ValidationEpochs().Count() * Batches(testCount, BatchSize);
    }

    internal void Validate()
    {
        EvalProfiles.Check(Profile);
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), $"The reference linear protocol needs at least one epoch, got {Epochs}.");
        if (BatchSize < 1 || CalibrationBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), $"Batch sizes must be positive, got {BatchSize} and {CalibrationBatchSize} (calibration).");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), $"The learning rate must be positive and finite, got {LearningRate}.");
        if (Momentum is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Momentum), $"Momentum must be in [0, 1), got {Momentum}.");
        if (WeightDecay < 0) throw new ArgumentOutOfRangeException(nameof(WeightDecay), $"Weight decay must be >= 0, got {WeightDecay}.");
        if (CalibrationBatches is < 1) throw new ArgumentOutOfRangeException(nameof(CalibrationBatches), $"CalibrationBatches must be positive or null, got {CalibrationBatches}.");
        if (CalibrationBatches is null && CalibrationEpochs < 0)
            throw new ArgumentOutOfRangeException(nameof(CalibrationEpochs), $"CalibrationEpochs must be >= 0, got {CalibrationEpochs}.");
        if (CalibrationMomentum is { } m && m is not (> 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(CalibrationMomentum), $"CalibrationMomentum must be in (0, 1] or null (cumulative), got {CalibrationMomentum}.");
        if (Milestones.Any(m => m < 1)) throw new ArgumentOutOfRangeException(nameof(Milestones), $"Milestones must be positive epochs, got [{string.Join(", ", Milestones)}].");
        if (ValidateEvery < 0) throw new ArgumentOutOfRangeException(nameof(ValidateEvery), $"ValidateEvery must be >= 0, got {ValidateEvery}.");
    }
}
