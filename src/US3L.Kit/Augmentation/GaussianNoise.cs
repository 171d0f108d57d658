using US3L.Torch;

namespace US3L.Augmentation;

/// <summary>
/// Additive Gaussian pixel noise for grayscale data (science 8.1): with probability p,
/// x + σ ε clamped to [0, 1], σ uniform in <see cref="Std"/> per sample. The noise ε is drawn on the
/// CPU from the generator and copied to the device, so results do not depend on the device.
/// </summary>
public sealed class GaussianNoise : RandomAugmentation
{
    public GaussianNoise((double Min, double Max)? std = null, double p = 0.5) : base(p)
    {
        Std = std ?? (0.01, 0.1);
        if (!(Std.Min >= 0 && Std.Min <= Std.Max) || double.IsInfinity(Std.Max))
            throw new ArgumentOutOfRangeException(nameof(std), $"GaussianNoise: std must satisfy 0 <= min <= max, got ({Std.Min}, {Std.Max}).");
    }

    public (double Min, double Max) Std { get; }

    protected internal override Tensor ApplyWhere(Tensor x, bool[] active, Generator generator)
    {
        var u = SampleRandom.Uniform(generator, active.Length);
        using var noise = torch.randn(x.shape, ScalarType.Float32, Device.CPU, generator);
        if (!active.Any(a => a)) return x;
        var sigma = active.Select((a, b) => a ? SampleRandom.Lerp(Std, u[b]) : 0.0).ToArray();
        var y = (x + noise.to(x.device) * SampleRandom.Column(sigma, x)).clamp_(0, 1);
        return torch.where(SampleRandom.Mask(active, x), y, x);
    }
}
