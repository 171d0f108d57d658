using US3L.Torch;

namespace US3L.Augmentation;

/// <summary>
/// torchvision's ColorJitter inside RandomApply(p): per sample, brightness, contrast and saturation
/// factors uniform in [max(0, 1 - s), 1 + s] and a hue shift uniform in [-h, h], applied in a random
/// order drawn per sample (as torchvision's randperm of the four ops). Each of the four rounds
/// applies, to every sample, the op that sample has at that position: brightness, contrast and
/// saturation are one batched blend toward a per-sample target (black, mean luma, luma) and the
/// hue rotation runs on the samples that rotate in that round. Grayscale images get brightness and
/// contrast only (saturation and hue leave one channel unchanged, as in torchvision).
/// </summary>
public sealed class ColorJitter : RandomAugmentation
{
    internal const int BrightnessOp = 0, ContrastOp = 1, SaturationOp = 2, HueOp = 3;

    public ColorJitter(double brightness = 0, double contrast = 0, double saturation = 0, double hue = 0, double p = 1.0) : base(p)
    {
        foreach (var (name, v) in new[] { ("brightness", brightness), ("contrast", contrast), ("saturation", saturation) })
            if (!(v >= 0) || double.IsInfinity(v))
                throw new ArgumentOutOfRangeException(name, v, $"ColorJitter: {name} must be a finite value >= 0.");
        if (!(hue >= 0 && hue <= 0.5)) throw new ArgumentOutOfRangeException(nameof(hue), hue, "ColorJitter: hue must be in [0, 0.5].");
        Brightness = brightness;
        Contrast = contrast;
        Saturation = saturation;
        Hue = hue;
    }

    public double Brightness { get; }
    public double Contrast { get; }
    public double Saturation { get; }
    public double Hue { get; }

    /// <summary>One sample's parameters: identity factors (1, 1, 1, 0) when not applied.</summary>
    internal readonly record struct Sample(double Brightness, double Contrast, double Saturation, double Hue, int[] Order);

    protected internal override Tensor ApplyWhere(Tensor x, bool[] active, Generator generator) =>
        ApplyParams(x, SampleParams(active, generator));

    /// <summary>8 draws per sample: 4 factors, then 4 keys whose ranking is the op order.</summary>
    internal Sample[] SampleParams(bool[] active, Generator generator)
    {
        var u = SampleRandom.Uniform(generator, active.Length * 8);
        var result = new Sample[active.Length];
        for (var b = 0; b < active.Length; b++)
        {
            var d = u.AsSpan(b * 8, 8);
            var keys = d.Slice(4, 4).ToArray();
            var order = Enumerable.Range(0, 4).OrderBy(i => keys[i]).ToArray();
            result[b] = active[b]
                ? new Sample(Factor(Brightness, d[0]), Factor(Contrast, d[1]), Factor(Saturation, d[2]), SampleRandom.Lerp((-Hue, Hue), d[3]), order)
                : new Sample(1, 1, 1, 0, order);
        }
        return result;
    }

    private static double Factor(double strength, double u) => SampleRandom.Lerp((Math.Max(0, 1 - strength), 1 + strength), u);

    /// <summary>Applies given per-sample parameters (four rounds, each in its own dispose scope).</summary>
    internal static Tensor ApplyParams(Tensor x, Sample[] samples)
    {
        var channels = ColorOps.RequireGrayOrRgb(x, "ColorJitter");
        for (var round = 0; round < 4; round++)
        {
            var r = round;
            x = BatchSubset.Scoped(x, () => Round(x, samples, r, channels));
        }
        return x;
    }

    private static Tensor Round(Tensor x, Sample[] samples, int round, long channels)
    {
        var batch = samples.Length;
        var factor = new double[batch];
        var useContrast = new double[batch];
        var useLuma = new double[batch];
        var hueSamples = new List<int>();
        for (var b = 0; b < batch; b++)
        {
            var s = samples[b];
            factor[b] = 1;
            switch (s.Order[round])
            {
                case BrightnessOp: factor[b] = s.Brightness; break;
                case ContrastOp: factor[b] = s.Contrast; useContrast[b] = 1; break;
                case SaturationOp when channels == 3: factor[b] = s.Saturation; useLuma[b] = 1; break;
                case HueOp when channels == 3 && s.Hue != 0: hueSamples.Add(b); break;
            }
        }
        if (factor.Any(f => f != 1))
        {
            // torchvision's blend f x + (1 - f) target, with the per-sample target 0 (brightness),
            // mean luma (contrast) or luma (saturation), as x f + luma (1 - f)[saturation] +
            // mean (1 - f)[contrast]. Samples whose factor is 1 keep x exactly (zero coefficients).
            var luma = ColorOps.Grayscale(x);
            var lumaCoefficient = factor.Select((f, b) => useLuma[b] * (1 - f)).ToArray();
            var blended = x * SampleRandom.Column(factor, x) + luma * SampleRandom.Column(lumaCoefficient, x);
            if (useContrast.Any(c => c != 0))
            {
                var meanCoefficient = factor.Select((f, b) => useContrast[b] * (1 - f)).ToArray();
                blended = blended + luma.mean(new long[] { 1, 2, 3 }, keepdim: true) * SampleRandom.Column(meanCoefficient, x);
            }
            x = blended.clamp_(0, 1);
        }
        var hue = hueSamples.ToArray();
        return BatchSubset.Apply(x, hue, (sub, idx) => ColorOps.Hue(sub, SampleRandom.Column(idx.Select(i => samples[i].Hue).ToArray(), sub)));
    }
}
