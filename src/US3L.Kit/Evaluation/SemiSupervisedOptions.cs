namespace US3L.Evaluation;

/// <summary>
/// Semi-supervised fine-tuning (science.md 6.8): the whole network at one width, in train mode, on
/// a labelled fraction of the training set. The <c>full</c> profile is the reference's fine-tuning
/// recipe (<c>configs/cifar/resnet18_finetune_cifar.yaml</c>: SGD momentum 0.9, WD 1e-4, backbone
/// lr 0.01, 50 epochs, ×0.1 at 30 and 40, batch 64) with the separate classifier rate of its
/// semi-supervised code path (<c>FC_LR</c>), whose value the release does not ship: 0.1 here [D].
/// <c>short</c> and <c>smoke</c> shrink only the length [D].
/// </summary>
public sealed record SemiSupervisedOptions
{
    public required string Profile { get; init; }
    /// <summary>Share of the training images that keep their labels: 0.01 or 0.1 in the protocol.</summary>
    public required double Fraction { get; init; }
    public required int Epochs { get; init; }
    public required int BatchSize { get; init; }
    /// <summary>Rate of every backbone parameter (the reference's BASE_LR).</summary>
    public required double BackboneLr { get; init; }
    /// <summary>Rate of the classifier (the reference's FC_LR).</summary>
    public required double HeadLr { get; init; }
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 1e-4;
    /// <summary>Epochs at which both rates are multiplied by 0.1.</summary>
    public IReadOnlyList<int> Milestones { get; init; } = Array.Empty<int>();
    /// <summary>Train-mode passes over the labelled images that set the BN running statistics (cumulative average) before fine-tuning [D].</summary>
    public int CalibrationEpochs { get; init; } = 1;
    public required string TrainAugmentation { get; init; }
    public required string TestAugmentation { get; init; }
    /// <summary>Seeds the labelled subset, the classifier's initialisation, the batch order and the augmentation.</summary>
    public long Seed { get; init; }

    /// <summary>The protocol for <paramref name="dataset"/> at <paramref name="profile"/> with labels on <paramref name="fraction"/> of the images.</summary>
    public static SemiSupervisedOptions For(string dataset, string profile, double fraction, long seed = 0)
    {
        var (epochs, batch) = EvalProfiles.Check(profile) switch
        {
            "full" => (50, 64),
            "short" => (10, 64),
            _ => (2, 32),
        };
        var (train, test) = dataset switch
        {
            "fashion-mnist" => ("linear-eval-fashion-mnist", "linear-eval-fashion-mnist-test"),
            "cifar10" or "cifar100" or "synthetic" => ("linear-eval-cifar", "linear-eval-cifar-test"),
            "image-folder" or "imagenet" => ("linear-eval-imagenet", "linear-eval-imagenet-test"),
            _ => throw new ArgumentException($"No semi-supervised protocol for data set '{dataset}'; expected fashion-mnist, cifar10, cifar100, synthetic, image-folder or imagenet."),
        };
        return new SemiSupervisedOptions
        {
            Profile = profile, Fraction = fraction, Epochs = epochs, BatchSize = batch, BackboneLr = 0.01, HeadLr = 0.1,
            Milestones = profile == "full" ? new[] { 30, 40 } : EvalProfiles.Milestones(epochs),
            TrainAugmentation = train, TestAugmentation = test, Seed = seed,
        };
    }

    /// <summary>The factor both rates carry in epoch <paramref name="epoch"/>: 0.1 per milestone passed.</summary>
    public double FactorAt(int epoch) => Math.Pow(0.1, Milestones.Count(m => epoch >= m));

    /// <summary>Batches one width runs through the backbone (calibration, fine-tuning, test), for progress bars.</summary>
    public long BatchesPerWidth(int labelCount, int testCount)
    {
        static long Batches(int n, int batch) => (n + batch - 1) / batch;
        var batch = Math.Min(BatchSize, labelCount);
        return (CalibrationEpochs + Epochs) * Batches(labelCount, batch) + Batches(testCount, Math.Max(BatchSize, 256));
    }

    internal void Validate()
    {
        EvalProfiles.Check(Profile);
        if (!(Fraction > 0 && Fraction <= 1)) throw new ArgumentOutOfRangeException(nameof(Fraction), $"The label fraction must be in (0, 1], got {Fraction}.");
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), $"Fine-tuning needs at least one epoch, got {Epochs}.");
        if (BatchSize < 2) throw new ArgumentOutOfRangeException(nameof(BatchSize), $"The batch size must be at least 2 (BatchNorm in train mode), got {BatchSize}.");
        if (!(BackboneLr >= 0) || !(HeadLr > 0) || double.IsInfinity(BackboneLr) || double.IsInfinity(HeadLr))
            throw new ArgumentOutOfRangeException(nameof(HeadLr), $"Rates must be finite, the backbone's >= 0 and the head's > 0; got {BackboneLr} and {HeadLr}.");
        if (Momentum is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Momentum), $"Momentum must be in [0, 1), got {Momentum}.");
        if (WeightDecay < 0) throw new ArgumentOutOfRangeException(nameof(WeightDecay), $"Weight decay must be >= 0, got {WeightDecay}.");
        if (CalibrationEpochs < 0) throw new ArgumentOutOfRangeException(nameof(CalibrationEpochs), $"CalibrationEpochs must be >= 0, got {CalibrationEpochs}.");
        if (Milestones.Any(m => m < 1)) throw new ArgumentOutOfRangeException(nameof(Milestones), $"Milestones must be positive epochs, got [{string.Join(", ", Milestones)}].");
    }
}
