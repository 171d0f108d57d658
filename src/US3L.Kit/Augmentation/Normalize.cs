using US3L.Torch;

namespace US3L.Augmentation;

/// <summary>torchvision's Normalize: (x - mean) / std per channel. Place it last in a pipeline.</summary>
public sealed class Normalize : Augmentation
{
    public static readonly double[] CifarMean = { 0.4914, 0.4822, 0.4465 }, CifarStd = { 0.2023, 0.1994, 0.2010 };
    public static readonly double[] ImageNetMean = { 0.485, 0.456, 0.406 }, ImageNetStd = { 0.229, 0.224, 0.225 };
    /// <summary>Fashion-MNIST training-set pixel mean and std.</summary>
    public static readonly double[] FashionMnistMean = { 0.2860 }, FashionMnistStd = { 0.3530 };

    public Normalize(IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        if (mean.Count == 0 || mean.Count != std.Count)
            throw new ArgumentException($"Normalize: expected one mean and one std per channel, got {mean.Count} means and {std.Count} stds.");
        if (std.Any(s => !(s > 0)))
            throw new ArgumentOutOfRangeException(nameof(std), $"Normalize: every std must be positive, got ({string.Join(", ", std)}).");
        Mean = mean.ToArray();
        Std = std.ToArray();
    }

    public IReadOnlyList<double> Mean { get; }
    public IReadOnlyList<double> Std { get; }

    protected internal override Tensor Forward(Tensor x, Generator generator) => ColorOps.Normalize(x, Mean, Std);
}
