namespace US3L.Detection;

/// <summary>
/// One detection fine-tuning run (science.md 10.6), flat and typed like the pretraining config:
/// YAML recipes (<c>Recipes/detection/*.yaml</c>) override fields by their snake_case names. Each
/// width of <see cref="Widths"/> fine-tunes its own Mask R-CNN from the same backbone weights,
/// one after the other, and is evaluated on the validation set. Defaults are torchvision's
/// Mask R-CNN R-50-FPN reference (science.md 10.5-10.6) unless a comment says otherwise.
/// </summary>
public sealed record DetectFinetuneConfig
{
    // ---- data -----------------------------------------------------------------------------
    /// <summary><c>scenes</c> (the Fashion-MNIST scene set, science.md 10.2) or <c>coco:DIR</c> (instances_{train,val}2017.json and images under DIR).</summary>
    public string Data { get; init; } = "scenes";
    /// <summary>Scenes in the train and validation splits (scenes only).</summary>
    public int SceneTrain { get; init; } = 2000;
    public int SceneVal { get; init; } = 500;
    /// <summary>Canvas side of the scenes (science.md 10.2).</summary>
    public int SceneSize { get; init; } = 128;
    /// <summary>Scene channels: 1 (gray, as Fashion-MNIST pretraining) or 3 (for RGB backbones).</summary>
    public int SceneChannels { get; init; } = 1;
    /// <summary>COCO: images of each split used, 0 = all.</summary>
    public int CocoTrainSubset { get; init; }
    public int CocoValSubset { get; init; }
    /// <summary>Probability of the horizontal flip, the only training augmentation (torchvision's reference).</summary>
    public double Flip { get; init; } = 0.5;

    // ---- backbone -------------------------------------------------------------------------
    /// <summary>Backbone registry name (us_resnet18, us_resnet50, us_mobilenetv2, us_resnet10_mini, ...).</summary>
    public string Arch { get; init; } = "us_resnet50";
    /// <summary>Channel rounding divisor; a pretraining checkpoint's own config overrides it.</summary>
    public int Divisor { get; init; } = 8;
    /// <summary>Pretrained backbone weights (a pretraining run's last.safetensors, or a backbone state_dict); empty: random init.</summary>
    public string Checkpoint { get; init; } = "";
    /// <summary>The widths to fine-tune and evaluate, each a separate detector.</summary>
    public double[] Widths { get; init; } = { 1.0, 0.5, 0.25 };
    public BackboneNorm BackboneNorm { get; init; } = BackboneNorm.Batch;
    /// <summary>Training batches that calibrate the backbone's BN statistics at the width before fine-tuning (science.md 6.3).</summary>
    public int CalibrationBatches { get; init; } = 20;

    // ---- detector (MaskRcnnOptions) -------------------------------------------------------
    public int MinSize { get; init; } = 800;
    public int MaxSize { get; init; } = 1333;
    /// <summary>Per-channel normalization of images in [0, 1]; empty: ImageNet's for 3 channels, Fashion-MNIST's for 1.</summary>
    public double[] ImageMean { get; init; } = Array.Empty<double>();
    public double[] ImageStd { get; init; } = Array.Empty<double>();
    public int[] ReturnedLayers { get; init; } = { 1, 2, 3, 4 };
    /// <summary>One anchor size per pyramid level (the returned layers, then the pool level).</summary>
    public double[] AnchorSizes { get; init; } = { 32, 64, 128, 256, 512 };
    public double[] AspectRatios { get; init; } = { 0.5, 1.0, 2.0 };
    public int FpnChannels { get; init; } = 256;
    public int RpnPreNmsTopNTrain { get; init; } = 2000;
    public int RpnPreNmsTopNTest { get; init; } = 1000;
    public int RpnPostNmsTopNTrain { get; init; } = 2000;
    public int RpnPostNmsTopNTest { get; init; } = 1000;
    public int RpnBatchSizePerImage { get; init; } = 256;
    public int BoxBatchSizePerImage { get; init; } = 512;
    public int RepresentationSize { get; init; } = 1024;
    public int[] MaskLayers { get; init; } = { 256, 256, 256, 256 };
    public int MaskDimReduced { get; init; } = 256;
    public int DetectionsPerImage { get; init; } = 100;
    public double BoxScoreThresh { get; init; } = 0.05;

    // ---- optimization (torchvision's detection reference) --------------------------------
    public int Epochs { get; init; } = 26;
    /// <summary>Images per step (the reference: 2 per GPU on 8 GPUs).</summary>
    public int BatchSize { get; init; } = 16;
    public double Lr { get; init; } = 0.02;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 1e-4;
    /// <summary>Linear warm-up over the first iterations (at most the first epoch), from lr × warmup_factor.</summary>
    public int WarmupIters { get; init; } = 1000;
    public double WarmupFactor { get; init; } = 0.001;
    /// <summary>Epochs after which the learning rate is multiplied by lr_gamma.</summary>
    public int[] LrSteps { get; init; } = { 16, 22 };
    public double LrGamma { get; init; } = 0.1;

    // ---- run ------------------------------------------------------------------------------
    public long Seed { get; init; }
    public string Device { get; init; } = "cpu";
    /// <summary>Validation images evaluated per width (0 = the whole validation split).</summary>
    public int EvalImages { get; init; }
    /// <summary>Images per inference batch.</summary>
    public int EvalBatchSize { get; init; } = 4;
    public int LogEvery { get; init; } = 10;
    /// <summary>Save a checkpoint every this many epochs (and at the end of each width and on interrupt).</summary>
    public int CheckpointEvery { get; init; } = 1;

    /// <summary>True when <see cref="Data"/> is a COCO folder.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsCoco => Data.StartsWith("coco:", StringComparison.Ordinal);

    /// <summary>The COCO folder of <c>coco:DIR</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string CocoDir => IsCoco ? Data["coco:".Length..] : throw new InvalidOperationException($"data '{Data}' is not a COCO folder.");

    /// <summary>Every problem of the config, one sentence each naming the key; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        void Require(bool ok, string problem) { if (!ok) p.Add(problem); }
        Require(Data == "scenes" || (IsCoco && CocoDir.Length > 0), $"data must be 'scenes' or 'coco:DIR', got '{Data}'.");
        Require(SceneTrain >= 1 && SceneVal >= 1, $"scene_train and scene_val must be positive, got {SceneTrain} and {SceneVal}.");
        Require(SceneSize >= 32, $"scene_size must be at least 32, got {SceneSize}.");
        Require(SceneChannels is 1 or 3, $"scene_channels must be 1 or 3, got {SceneChannels}.");
        Require(CocoTrainSubset >= 0 && CocoValSubset >= 0, "coco_train_subset and coco_val_subset must be 0 (all) or positive.");
        Require(Flip is >= 0 and <= 1, $"flip must be a probability, got {Flip}.");
        Require(Models.ModelRegistry.Names.Contains(Arch), $"arch '{Arch}' is unknown; expected one of {string.Join(", ", Models.ModelRegistry.Names)}.");
        Require(!Arch.StartsWith("us_vit", StringComparison.Ordinal), $"arch {Arch}: the US-ViTs have no stage outputs for a feature pyramid (science.md 10.5).");
        Require(Divisor >= 1, $"divisor must be positive, got {Divisor}.");
        Require(Widths.Length >= 1 && Widths.All(w => w is > 0 and <= 1), "widths must list widths in (0, 1].");
        Require(Widths.Distinct().Count() == Widths.Length, "widths must not repeat.");
        Require(CalibrationBatches >= 1, $"calibration_batches must be positive, got {CalibrationBatches}.");
        Require(ImageMean.Length == ImageStd.Length, "image_mean and image_std need the same number of channels.");
        Require(AnchorSizes.Length == ReturnedLayers.Length + 1,
            $"anchor_sizes needs one size per pyramid level: {ReturnedLayers.Length} returned layers plus the pool level, got {AnchorSizes.Length}.");
        Require(Epochs >= 1, $"epochs must be at least 1, got {Epochs}.");
        Require(BatchSize >= 1, $"batch_size must be positive, got {BatchSize}.");
        Require(Lr > 0, $"lr must be positive, got {Lr}.");
        Require(Momentum is >= 0 and < 1, $"momentum must be in [0, 1), got {Momentum}.");
        Require(WeightDecay >= 0, $"weight_decay must be >= 0, got {WeightDecay}.");
        Require(WarmupIters >= 0 && WarmupFactor is > 0 and <= 1, "warmup_iters must be >= 0 and warmup_factor in (0, 1].");
        Require(LrSteps.All(s => s >= 1) && LrSteps.SequenceEqual(LrSteps.Order()), "lr_steps must be increasing epochs >= 1.");
        Require(LrGamma is > 0 and <= 1, $"lr_gamma must be in (0, 1], got {LrGamma}.");
        Require(EvalImages >= 0 && EvalBatchSize >= 1, "eval_images must be >= 0 and eval_batch_size positive.");
        Require(LogEvery >= 1 && CheckpointEvery >= 1, "log_every and checkpoint_every must be positive.");
        try
        {
            foreach (var problem in Detector(1).Problems()) p.Add(problem);
        }
        catch (ArgumentException e)
        {
            p.Add(e.Message);
        }
        return p;
    }

    /// <summary>Throws a <see cref="Config.ConfigException"/> listing every problem, naming <paramref name="where"/>.</summary>
    public DetectFinetuneConfig Validate(string where)
    {
        var problems = Problems();
        if (problems.Count > 0) throw new Config.ConfigException(where, null, string.Join(" ", problems));
        return this;
    }

    /// <summary>The detector's options for images of <paramref name="channels"/> channels and K object classes.</summary>
    public MaskRcnnOptions Detector(int channels, int objectClasses = 10)
    {
        var (mean, std) = ImageMean.Length > 0 ? (ImageMean, ImageStd)
            : channels == 1 ? (Augmentation.Normalize.FashionMnistMean, Augmentation.Normalize.FashionMnistStd)
            : (Augmentation.Normalize.ImageNetMean, Augmentation.Normalize.ImageNetStd);
        return new MaskRcnnOptions
        {
            ObjectClasses = objectClasses, MinSize = new[] { MinSize }, MaxSize = MaxSize, ImageMean = mean, ImageStd = std,
            ReturnedLayers = ReturnedLayers, FpnChannels = FpnChannels, BackboneNorm = BackboneNorm,
            AnchorSizes = AnchorSizes.Select(s => (IReadOnlyList<double>)new[] { s }).ToArray(), AspectRatios = AspectRatios,
            RpnPreNmsTopNTrain = RpnPreNmsTopNTrain, RpnPreNmsTopNTest = RpnPreNmsTopNTest,
            RpnPostNmsTopNTrain = RpnPostNmsTopNTrain, RpnPostNmsTopNTest = RpnPostNmsTopNTest, RpnBatchSizePerImage = RpnBatchSizePerImage,
            BoxBatchSizePerImage = BoxBatchSizePerImage, RepresentationSize = RepresentationSize, MaskLayers = MaskLayers,
            MaskDimReduced = MaskDimReduced, DetectionsPerImage = DetectionsPerImage, BoxScoreThresh = BoxScoreThresh,
        };
    }
}
