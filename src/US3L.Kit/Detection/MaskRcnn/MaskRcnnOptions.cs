namespace US3L.Detection;

/// <summary>How the backbone's BatchNorms behave while the detector fine-tunes (science.md 10.5).</summary>
public enum BackboneNorm
{
    /// <summary>
    /// Batch statistics in training, as SyncBN does over the whole batch, with γ/β trained; running
    /// statistics (started from a calibration at the chosen width) are tracked and used at test time.
    /// </summary>
    Batch,
    /// <summary>
    /// The calibrated running statistics and γ/β frozen (torchvision's FrozenBatchNorm2d): every
    /// backbone BN stays in eval mode and its affine parameters take no gradient.
    /// </summary>
    Frozen,
}

/// <summary>
/// Mask R-CNN's settings, with torchvision 0.14's <c>maskrcnn_resnet50_fpn</c> defaults (science.md
/// 10.5 [T]) unless a comment says otherwise. Sizes are in input-image pixels.
/// </summary>
public sealed record MaskRcnnOptions
{
    /// <summary>Object classes K; the predictors have K + 1 outputs, label 0 being the background.</summary>
    public int ObjectClasses { get; init; } = 80;

    /// <summary>torchvision's num_classes: the object classes plus the background.</summary>
    public int NumClasses => ObjectClasses + 1;

    // ---- transform (GeneralizedRCNNTransform) ----------------------------------------------
    /// <summary>Shorter side after resizing; training draws one per image when several are given.</summary>
    public IReadOnlyList<int> MinSize { get; init; } = new[] { 800 };
    /// <summary>Longer side at most this after resizing.</summary>
    public int MaxSize { get; init; } = 1333;
    /// <summary>Per-channel mean and std the images (in [0, 1]) are normalized with (ImageNet's by default).</summary>
    public IReadOnlyList<double> ImageMean { get; init; } = new[] { 0.485, 0.456, 0.406 };
    public IReadOnlyList<double> ImageStd { get; init; } = new[] { 0.229, 0.224, 0.225 };
    /// <summary>The batch is padded to a multiple of this.</summary>
    public int SizeDivisible { get; init; } = 32;

    // ---- backbone and FPN ------------------------------------------------------------------
    /// <summary>Backbone stages (1 = C2 ... 4 = C5) the FPN reads; the coarsest also gives the max-pooled extra level.</summary>
    public IReadOnlyList<int> ReturnedLayers { get; init; } = new[] { 1, 2, 3, 4 };
    /// <summary>FPN channels: every pyramid level, the RPN and the RoI heads run at this width (not slimmed).</summary>
    public int FpnChannels { get; init; } = 256;
    public BackboneNorm BackboneNorm { get; init; } = BackboneNorm.Batch;

    // ---- anchors and RPN -------------------------------------------------------------------
    /// <summary>Anchor sizes per pyramid level (one list per level, the extra pool level last).</summary>
    public IReadOnlyList<IReadOnlyList<double>> AnchorSizes { get; init; } =
        new[] { new[] { 32.0 }, new[] { 64.0 }, new[] { 128.0 }, new[] { 256.0 }, new[] { 512.0 } };
    /// <summary>Aspect ratios (height / width), the same at every level.</summary>
    public IReadOnlyList<double> AspectRatios { get; init; } = new[] { 0.5, 1.0, 2.0 };
    public int RpnPreNmsTopNTrain { get; init; } = 2000;
    public int RpnPreNmsTopNTest { get; init; } = 1000;
    public int RpnPostNmsTopNTrain { get; init; } = 2000;
    public int RpnPostNmsTopNTest { get; init; } = 1000;
    public double RpnNmsThresh { get; init; } = 0.7;
    public double RpnFgIouThresh { get; init; } = 0.7;
    public double RpnBgIouThresh { get; init; } = 0.3;
    public int RpnBatchSizePerImage { get; init; } = 256;
    public double RpnPositiveFraction { get; init; } = 0.5;
    public double RpnScoreThresh { get; init; } = 0.0;

    // ---- RoI heads -------------------------------------------------------------------------
    public int BoxRoiSize { get; init; } = 7;
    public int MaskRoiSize { get; init; } = 14;
    public int RoiSamplingRatio { get; init; } = 2;
    /// <summary>The level mapper's canonical box side and level (FPN paper eq. 1): a 224-pixel box pools from level 4.</summary>
    public int CanonicalScale { get; init; } = 224;
    public int CanonicalLevel { get; init; } = 4;
    /// <summary>Width of the box head's two fully connected layers fc6 and fc7.</summary>
    public int RepresentationSize { get; init; } = 1024;
    public double BoxScoreThresh { get; init; } = 0.05;
    public double BoxNmsThresh { get; init; } = 0.5;
    public int DetectionsPerImage { get; init; } = 100;
    public double BoxFgIouThresh { get; init; } = 0.5;
    public double BoxBgIouThresh { get; init; } = 0.5;
    public int BoxBatchSizePerImage { get; init; } = 512;
    public double BoxPositiveFraction { get; init; } = 0.25;
    /// <summary>The mask head's four 3x3 convolutions, and the channels of the upsampled mask features.</summary>
    public IReadOnlyList<int> MaskLayers { get; init; } = new[] { 256, 256, 256, 256 };
    public int MaskDimReduced { get; init; } = 256;
    /// <summary>A pasted mask probability above this is inside the object (evaluation and drawing).</summary>
    public double MaskThreshold { get; init; } = 0.5;

    /// <summary>Every problem with these options, one sentence each, naming the field.</summary>
    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        void Require(bool ok, string problem) { if (!ok) p.Add(problem); }
        Require(ObjectClasses >= 1, $"ObjectClasses must be at least 1, got {ObjectClasses}.");
        Require(MinSize.Count >= 1 && MinSize.All(s => s >= 1), "MinSize must list positive sides.");
        Require(MinSize.Count == 0 || MaxSize >= MinSize.Max(), $"MaxSize {MaxSize} is below the largest MinSize.");
        Require(ImageMean.Count >= 1 && ImageMean.Count == ImageStd.Count && ImageStd.All(s => s > 0),
            "ImageMean and ImageStd need one value per channel, with positive std.");
        Require(SizeDivisible >= 1, $"SizeDivisible must be positive, got {SizeDivisible}.");
        Require(ReturnedLayers.Count >= 1 && ReturnedLayers.All(l => l is >= 1 and <= 4) && ReturnedLayers.SequenceEqual(ReturnedLayers.Order().Distinct()),
            "ReturnedLayers must list distinct stages from 1 to 4 in increasing order.");
        Require(FpnChannels >= 1, $"FpnChannels must be positive, got {FpnChannels}.");
        Require(AnchorSizes.Count == ReturnedLayers.Count + 1,
            $"AnchorSizes needs one list per pyramid level: {ReturnedLayers.Count} returned layers plus the pool level, got {AnchorSizes.Count}.");
        Require(AnchorSizes.All(l => l.Count >= 1 && l.All(s => s > 0)), "AnchorSizes must hold positive sizes.");
        Require(AnchorSizes.Select(l => l.Count).Distinct().Count() <= 1, "Every level needs the same number of anchor sizes (one RPN head serves all levels).");
        Require(AspectRatios.Count >= 1 && AspectRatios.All(r => r > 0), "AspectRatios must be positive.");
        Require(RpnPreNmsTopNTrain >= 1 && RpnPreNmsTopNTest >= 1 && RpnPostNmsTopNTrain >= 1 && RpnPostNmsTopNTest >= 1,
            "the RPN's pre- and post-NMS top-n must be positive.");
        Require(RpnBgIouThresh <= RpnFgIouThresh, "RpnBgIouThresh must not exceed RpnFgIouThresh.");
        Require(BoxBgIouThresh <= BoxFgIouThresh, "BoxBgIouThresh must not exceed BoxFgIouThresh.");
        Require(RpnBatchSizePerImage >= 1 && BoxBatchSizePerImage >= 1, "the sampler batch sizes must be positive.");
        Require(RpnPositiveFraction is > 0 and <= 1 && BoxPositiveFraction is > 0 and <= 1, "the positive fractions must be in (0, 1].");
        Require(BoxRoiSize >= 1 && MaskRoiSize >= 1, "the RoI output sizes must be positive.");
        Require(RepresentationSize >= 1 && MaskDimReduced >= 1 && MaskLayers.Count >= 1 && MaskLayers.All(c => c >= 1),
            "RepresentationSize, MaskLayers and MaskDimReduced must be positive.");
        Require(DetectionsPerImage >= 1, $"DetectionsPerImage must be positive, got {DetectionsPerImage}.");
        Require(MaskThreshold is > 0 and < 1, $"MaskThreshold must be in (0, 1), got {MaskThreshold}.");
        return p;
    }

    /// <summary>Throws with every problem at once.</summary>
    public MaskRcnnOptions Validate()
    {
        var problems = Problems();
        if (problems.Count > 0) throw new ArgumentException("Mask R-CNN options: " + string.Join(" ", problems));
        return this;
    }
}
