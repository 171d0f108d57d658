namespace US3L.Augmentation;

/// <summary>
/// A named augmentation recipe: two views for SSL pre-training (the same pipeline twice, or two
/// pipelines for asymmetric views), or one view for linear evaluation and testing.
/// </summary>
public sealed record AugmentationRecipe(string Name, string Description, int Channels, Augmentation View1, Augmentation? View2)
{
    public bool IsTwoView => View2 is not null;

    /// <summary>The two-view wrapper; an error for single-view (evaluation) recipes.</summary>
    public TwoViews TwoViews() => View2 is not null
        ? new TwoViews(View1, View2)
        : throw new InvalidOperationException($"Augmentation recipe \"{Name}\" is single-view ({Description}); use View1.");
}

/// <summary>
/// The paper's augmentation recipes by name (science.md 6.1, 6.2, 6.4, 8.1). Every recipe takes
/// an output size; by default the paper's. Colour-jitter order is drawn per sample, as torchvision.
/// </summary>
public static class AugmentationRecipes
{
    private sealed record Entry(string Description, int Channels, int DefaultSize, Func<int, (Augmentation View1, Augmentation? View2)> Build);

    private static readonly (string Name, Entry Entry)[] Table =
    {
        ("cifar", new("SSL two views, MoCo-v2 style without blur, CIFAR normalization (6.1)", 3, 32, size => Symmetric(MocoV2(size, blur: false, Normalize.CifarMean, Normalize.CifarStd)))),
        ("imagenet", new("SSL two views, MoCo-v2 style with blur p 0.5, ImageNet normalization (6.1)", 3, 224, size => Symmetric(MocoV2(size, blur: true, Normalize.ImageNetMean, Normalize.ImageNetStd)))),
        ("vit-asymmetric", new("SSL asymmetric BYOL views: blur p 1.0 / 0.1, solarize p 0.2 on view 2 (6.2)", 3, 224, ByolViews)),
        ("fashion-mnist", new("SSL two views for 28x28 grayscale: crop, flip, brightness/contrast, noise or blur (8.1)", 1, 28, size => Symmetric(FashionMnist(size)))),
        ("linear-eval-cifar", new("linear-eval train: bicubic crop scale (0.8, 1) + flip, CIFAR normalization (6.4)", 3, 32, size => Single(LinearTrain(size, (0.8, 1.0), Interpolation.Bicubic, Normalize.CifarMean, Normalize.CifarStd)))),
        ("linear-eval-cifar-test", new("linear-eval test: bicubic resize to 36/32 of the size + center crop, CIFAR normalization (6.4)", 3, 32, size => Single(Test(size, size * 36 / 32, Interpolation.Bicubic, Normalize.CifarMean, Normalize.CifarStd)))),
        ("linear-eval-imagenet", new("linear-eval train: crop scale (0.08, 1) + flip, ImageNet normalization (6.4)", 3, 224, size => Single(LinearTrain(size, (0.08, 1.0), Interpolation.Bilinear, Normalize.ImageNetMean, Normalize.ImageNetStd)))),
        ("linear-eval-imagenet-test", new("linear-eval test: resize to 256/224 of the size + center crop, ImageNet normalization (6.4)", 3, 224, size => Single(Test(size, size * 256 / 224, Interpolation.Bilinear, Normalize.ImageNetMean, Normalize.ImageNetStd)))),
        ("linear-eval-fashion-mnist", new("linear-eval train for 28x28 grayscale: the CIFAR recipe, bicubic crop scale (0.8, 1) + flip, Fashion-MNIST normalization (6.7)", 1, 28, size => Single(LinearTrain(size, (0.8, 1.0), Interpolation.Bicubic, Normalize.FashionMnistMean, Normalize.FashionMnistStd)))),
        ("linear-eval-fashion-mnist-test", new("linear-eval test for 28x28 grayscale: bicubic resize to int(8/7 of the size) + center crop, Fashion-MNIST normalization (6.7)", 1, 28, size => Single(Test(size, (int)(size * 8.0 / 7.0), Interpolation.Bicubic, Normalize.FashionMnistMean, Normalize.FashionMnistStd)))),
        ("calibrate-imagenet", new("BN calibration views: crop scale (0.08, 1), jitter p 0.8, grayscale p 0.2, blur p 0.5, flip, ImageNet normalization (calibrate.py, 6.3)", 3, 224, size => Single(MocoV2(size, blur: true, Normalize.ImageNetMean, Normalize.ImageNetStd, minScale: 0.08)))),
        ("fashion-mnist-test", new("no augmentation for 28x28 grayscale (kNN, probe, test): resize + center crop when the size differs, normalization (8.1)", 1, 28, size => Single(Test(size, size, Interpolation.Bilinear, Normalize.FashionMnistMean, Normalize.FashionMnistStd)))),
    };

    /// <summary>Valid recipe names.</summary>
    public static IReadOnlyList<string> Names { get; } = Table.Select(t => t.Name).ToArray();

    /// <summary>The recipe called <paramref name="name"/> at output side <paramref name="size"/> (default: the paper's).</summary>
    public static AugmentationRecipe Get(string name, int? size = null)
    {
        var found = Table.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
        if (found.Entry is null)
            throw new ArgumentException($"Unknown augmentation recipe \"{name}\". Valid recipes: {string.Join(", ", Names)}.", nameof(name));
        var side = size ?? found.Entry.DefaultSize;
        if (side < 8) throw new ArgumentOutOfRangeException(nameof(size), side, $"Augmentation recipe \"{found.Name}\": size must be at least 8.");
        var (view1, view2) = found.Entry.Build(side);
        return new AugmentationRecipe(found.Name, found.Entry.Description, found.Entry.Channels, view1, view2);
    }

    private static (Augmentation, Augmentation?) Symmetric(Augmentation view) => (view, view);
    private static (Augmentation, Augmentation?) Single(Augmentation view) => (view, null);

    /// <summary>
    /// 6.1: RandomResizedCrop scale (0.2, 1), ColorJitter(0.4, 0.4, 0.4, 0.1) p 0.8, grayscale p 0.2,
    /// blur σ in [0.1, 2] p 0.5 (ImageNet only), flip, normalize: MoCo-v2's order.
    /// </summary>
    private static Augmentation MocoV2(int size, bool blur, double[] mean, double[] std, double minScale = 0.2)
    {
        var steps = new List<Augmentation>
        {
            new RandomResizedCrop(size, scale: (minScale, 1.0)),
            new ColorJitter(0.4, 0.4, 0.4, 0.1, p: 0.8),
            new RandomGrayscale(p: 0.2),
        };
        if (blur) steps.Add(new GaussianBlur(GaussianBlur.KernelFor(size), (0.1, 2.0), p: 0.5));
        steps.Add(new HorizontalFlip(0.5));
        steps.Add(new Normalize(mean, std));
        return new Compose(steps.ToArray());
    }

    /// <summary>
    /// 6.2 (BYOL views as in MoCo-v3): crop scale (0.08, 1), ColorJitter(0.4, 0.4, 0.2, 0.1) p 0.8,
    /// grayscale p 0.2, blur p 1.0 (view 1) / 0.1 (view 2), solarize p 0.2 (view 2), flip; ImageNet
    /// normalization, as MoCo-v3.
    /// </summary>
    private static (Augmentation, Augmentation?) ByolViews(int size)
    {
        Augmentation View(double blurP, double solarizeP) => new Compose(
            new RandomResizedCrop(size, scale: (0.08, 1.0)),
            new ColorJitter(0.4, 0.4, 0.2, 0.1, p: 0.8),
            new RandomGrayscale(p: 0.2),
            new GaussianBlur(GaussianBlur.KernelFor(size), (0.1, 2.0), p: blurP),
            new Solarize(Solarize.PilThreshold, p: solarizeP),
            new HorizontalFlip(0.5),
            new Normalize(Normalize.ImageNetMean, Normalize.ImageNetStd));
        return (View(1.0, 0.0), View(0.1, 0.2));
    }

    /// <summary>
    /// 8.1: RandomResizedCrop scale (0.3, 1), flip, brightness and contrast jitter 0.4 p 0.8, then
    /// with p 0.5 either Gaussian noise (σ in [0.01, 0.1]) or a 3x3 Gaussian blur (σ in [0.1, 2]),
    /// chosen per sample; no colour or grayscale ops. The jitter strength and noise/blur
    /// parameters are this kit's choices (the section gives only the op list).
    /// </summary>
    private static Augmentation FashionMnist(int size) => new Compose(
        new RandomResizedCrop(size, scale: (0.3, 1.0)),
        new HorizontalFlip(0.5),
        new ColorJitter(brightness: 0.4, contrast: 0.4, p: 0.8),
        new OneOf(0.5, new GaussianNoise((0.01, 0.1), p: 1.0), new GaussianBlur(GaussianBlur.KernelFor(size), (0.1, 2.0), p: 1.0)),
        new Normalize(Normalize.FashionMnistMean, Normalize.FashionMnistStd));

    /// <summary>6.4 train: RandomResizedCrop(size, scale, ratio (3/4, 4/3)) + flip + normalize.</summary>
    private static Augmentation LinearTrain(int size, (double, double) scale, Interpolation interpolation, double[] mean, double[] std) =>
        new Compose(new RandomResizedCrop(size, scale: scale, interpolation: interpolation), new HorizontalFlip(0.5), new Normalize(mean, std));

    /// <summary>6.4 test: resize the shorter side, center crop, normalize.</summary>
    private static Augmentation Test(int size, int resize, Interpolation interpolation, double[] mean, double[] std) =>
        new Compose(new Resize(resize, interpolation), new CenterCrop(size), new Normalize(mean, std));
}
