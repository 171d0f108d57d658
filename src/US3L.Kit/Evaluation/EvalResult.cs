namespace US3L.Evaluation;

/// <summary>
/// What every reported accuracy must say about how it was obtained (design.md, "numbers carry
/// their protocol"), besides the method's own settings.
/// </summary>
/// <param name="Dataset">The evaluation data set, e.g. "fashion-mnist".</param>
/// <param name="BnCalibrated">Whether BN statistics were recalibrated for each width before evaluation (science.md 6.3).</param>
/// <param name="Seed">Seed of the run that produced the weights.</param>
/// <param name="Profile">Training profile (smoke / short / full); smoke numbers are never paper numbers.</param>
public sealed record EvalProtocol(string Dataset, bool BnCalibrated, long Seed, string? Profile = null)
{
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Dataset)) throw new ArgumentException("EvalProtocol.Dataset must name the evaluation data set.");
    }
}

/// <summary>
/// One accuracy with its full protocol: one row of a results table (JSON lines or CSV, see
/// <see cref="ResultsFile"/>). Method-specific fields are null for the other method.
/// </summary>
public sealed record EvalResult
{
    /// <summary>"knn", "linear" or "semisup" (semi-supervised fine-tuning, science.md 6.8).</summary>
    public required string Method { get; init; }
    public required string Dataset { get; init; }
    /// <summary>Width multiplier of the evaluated sub-network; null when the model is not slimmable.</summary>
    public double? Width { get; init; }
    /// <summary>Test top-1 accuracy in [0, 1].</summary>
    public required double Top1 { get; init; }
    /// <summary>Test top-5 accuracy (kNN with more than 5 classes only).</summary>
    public double? Top5 { get; init; }
    /// <summary>Training-set top-1 of the linear probe.</summary>
    public double? TrainTop1 { get; init; }
    public required bool BnCalibrated { get; init; }
    public required long Seed { get; init; }
    public string? Profile { get; init; }
    /// <summary>Feature dimensions read (F(w) when a prefix is used).</summary>
    public required int FeatureDim { get; init; }
    public required int TrainCount { get; init; }
    public required int TestCount { get; init; }
    public int? K { get; init; }
    public double? Temperature { get; init; }
    public int? ProbeEpochs { get; init; }
    public int? ProbeBatchSize { get; init; }
    public double? ProbeLr { get; init; }
    public double? ProbeMomentum { get; init; }
    public bool? ProbeNesterov { get; init; }
    public double? ProbeWeightDecay { get; init; }
    public string? ProbeSchedule { get; init; }
    public bool? ProbeStandardize { get; init; }
    public long? ProbeSeed { get; init; }
    /// <summary>Multiply-accumulates of one forward pass at this width, when the caller knows them.</summary>
    public long? Macs { get; init; }
    /// <summary>Wall-clock seconds of the evaluation itself (for reports; never asserted on).</summary>
    public double? Seconds { get; init; }
    /// <summary>Linear evaluation: "quick" (the CPU probe of science.md 8.1) or "reference" (the official code's, 6.7); "reference" for semisup too.</summary>
    public string? Protocol { get; init; }
    /// <summary>Length of a reference or semi-supervised protocol: smoke, short or full (6.7, 6.8).</summary>
    public string? EvalProfile { get; init; }
    /// <summary>"sgd" or "lars".</summary>
    public string? Optimizer { get; init; }
    /// <summary>The augmentation recipe of the training steps; null when nothing is augmented.</summary>
    public string? Augmentation { get; init; }
    /// <summary>Batches the protocol's own BN calibration forwarded at this width.</summary>
    public int? BnCalibrationBatches { get; init; }
    /// <summary>Semisup: share of the training images whose labels were used.</summary>
    public double? LabelFraction { get; init; }
    /// <summary>Semisup: the classifier's rate (<see cref="ProbeLr"/> holds the backbone's).</summary>
    public double? HeadLr { get; init; }

    public static EvalResult FromKnn(KnnResult r, EvalProtocol protocol, double? width = null, long? macs = null, double? seconds = null)
    {
        protocol.Validate();
        return new EvalResult
        {
            Method = "knn", Dataset = protocol.Dataset, Width = width, Top1 = r.Top1, Top5 = r.Top5,
            BnCalibrated = protocol.BnCalibrated, Seed = protocol.Seed, Profile = protocol.Profile,
            FeatureDim = r.Dim, TrainCount = r.BankSize, TestCount = r.QueryCount,
            K = r.Options.K, Temperature = r.Options.Temperature, Macs = macs, Seconds = seconds,
        };
    }

    public static EvalResult FromLinear(LinearProbeResult r, EvalProtocol protocol, int trainCount, int testCount,
        double? width = null, long? macs = null, double? seconds = null)
    {
        protocol.Validate();
        var o = r.Options;
        return new EvalResult
        {
            Method = "linear", Dataset = protocol.Dataset, Width = width, Top1 = r.TestTop1, TrainTop1 = r.TrainTop1,
            BnCalibrated = protocol.BnCalibrated, Seed = protocol.Seed, Profile = protocol.Profile,
            FeatureDim = r.Dim, TrainCount = trainCount, TestCount = testCount,
            ProbeEpochs = o.Epochs, ProbeBatchSize = o.BatchSize, ProbeLr = o.LearningRate, ProbeMomentum = o.Momentum,
            ProbeNesterov = o.Nesterov, ProbeWeightDecay = o.WeightDecay, ProbeSchedule = o.Schedule.ToString().ToLowerInvariant(),
            ProbeStandardize = o.Standardize, ProbeSeed = o.Seed, Macs = macs, Seconds = seconds, Protocol = "quick", Optimizer = "sgd",
        };
    }

    /// <summary>A row of the reference linear protocol (science.md 6.7).</summary>
    public static EvalResult FromReferenceLinear(ReferenceLinearResult r, EvalProtocol protocol, long? macs = null, double? seconds = null)
    {
        protocol.Validate();
        var o = r.Options;
        return new EvalResult
        {
            Method = "linear", Dataset = protocol.Dataset, Width = r.Width, Top1 = r.TestTop1, TrainTop1 = r.TrainTop1,
            BnCalibrated = r.CalibrationBatches > 0 || protocol.BnCalibrated, Seed = protocol.Seed, Profile = protocol.Profile,
            FeatureDim = r.FeatureDim, TrainCount = r.TrainCount, TestCount = r.TestCount,
            ProbeEpochs = o.Epochs, ProbeBatchSize = o.BatchSize, ProbeLr = o.LearningRate, ProbeMomentum = o.Momentum, ProbeNesterov = false,
            ProbeWeightDecay = o.WeightDecay, ProbeSchedule = o.Schedule.ToString().ToLowerInvariant(), ProbeStandardize = false, ProbeSeed = o.Seed,
            Macs = macs, Seconds = seconds, Protocol = "reference", EvalProfile = o.Profile, Optimizer = o.Optimizer.ToString().ToLowerInvariant(),
            Augmentation = o.TrainAugmentation, BnCalibrationBatches = r.CalibrationBatches,
        };
    }

    /// <summary>A row of semi-supervised fine-tuning (science.md 6.8).</summary>
    public static EvalResult FromSemiSupervised(SemiSupervisedResult r, EvalProtocol protocol, long? macs = null, double? seconds = null)
    {
        protocol.Validate();
        var o = r.Options;
        return new EvalResult
        {
            Method = "semisup", Dataset = protocol.Dataset, Width = r.Width, Top1 = r.TestTop1, TrainTop1 = r.TrainTop1,
            BnCalibrated = true, Seed = protocol.Seed, Profile = protocol.Profile,
            FeatureDim = r.FeatureDim, TrainCount = r.LabelCount, TestCount = r.TestCount,
            ProbeEpochs = o.Epochs, ProbeBatchSize = o.BatchSize, ProbeLr = o.BackboneLr, ProbeMomentum = o.Momentum, ProbeNesterov = false,
            ProbeWeightDecay = o.WeightDecay, ProbeSchedule = "multistep", ProbeStandardize = false, ProbeSeed = o.Seed,
            Macs = macs, Seconds = seconds, Protocol = "reference", EvalProfile = o.Profile, Optimizer = "sgd", Augmentation = o.TrainAugmentation,
            LabelFraction = o.Fraction, HeadLr = o.HeadLr,
        };
    }
}
