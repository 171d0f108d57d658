using US3L.Torch;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Augmentation;

/// <summary>
/// torchvision's GaussianBlur inside RandomApply(p): sigma uniform in <see cref="Sigma"/> per sample,
/// kernel exp(-x²/2σ²) normalized over x = -(k-1)/2 … (k-1)/2, reflect padding. Runs as two
/// separable passes of one grouped convolution over the blurred samples (batch folded into
/// channels, one kernel per sample and channel).
/// </summary>
public sealed class GaussianBlur : RandomAugmentation
{
    public GaussianBlur(int kernelSize, (double Min, double Max)? sigma = null, double p = 0.5) : base(p)
    {
        if (kernelSize < 1 || kernelSize % 2 == 0)
            throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "GaussianBlur: kernel size must be odd and positive.");
        Sigma = sigma ?? (0.1, 2.0);
        if (!(Sigma.Min > 0 && Sigma.Min <= Sigma.Max))
            throw new ArgumentOutOfRangeException(nameof(sigma), $"GaussianBlur: sigma must satisfy 0 < min <= max, got ({Sigma.Min}, {Sigma.Max}).");
        KernelSize = kernelSize;
    }

    public int KernelSize { get; }
    public (double Min, double Max) Sigma { get; }

    /// <summary>An odd kernel of about 10 % of the image side, as BYOL (23 at 224), at least 3.</summary>
    public static int KernelFor(int imageSize) => Math.Max(3, (int)(imageSize * 0.1) / 2 * 2 + 1);

    protected internal override Tensor ApplyWhere(Tensor x, bool[] active, Generator generator)
    {
        var u = SampleRandom.Uniform(generator, active.Length);
        var sigmas = u.Select(v => SampleRandom.Lerp(Sigma, v)).ToArray();
        return Blur(x, SampleRandom.Selected(active), sigmas);
    }

    /// <summary>Blurs the selected samples with their sigmas; the others are kept exactly.</summary>
    internal Tensor Blur(Tensor x, int[] selected, double[] sigmas)
    {
        var half = KernelSize / 2;
        if (selected.Length > 0 && (x.size(2) <= half || x.size(3) <= half))
            throw new ArgumentException(
                $"GaussianBlur: kernel size {KernelSize} needs images larger than {half} pixels for reflect padding, got {Augmentation.ShapeOf(x)}.");
        return BatchSubset.Apply(x, selected, (sub, idx) =>
        {
            var (n, c, h, w) = (sub.size(0), sub.size(1), sub.size(2), sub.size(3));
            var weights = new float[n * c * KernelSize];
            for (var i = 0; i < n; i++)
            {
                var kernel = Kernel(KernelSize, sigmas[idx[i]]);
                for (var ch = 0; ch < c; ch++) kernel.CopyTo(weights, (i * c + ch) * KernelSize);
            }
            var horizontal = torch.tensor<float>(weights, new long[] { n * c, 1, 1, KernelSize }, sub.device);
            var vertical = horizontal.view(n * c, 1, KernelSize, 1);
            var folded = F.pad(sub.reshape(1, n * c, h, w), new long[] { half, half, half, half }, "reflect");
            var blurred = F.conv2d(F.conv2d(folded, horizontal, groups: n * c), vertical, groups: n * c);
            return blurred.view(n, c, h, w);
        });
    }

    /// <summary>torchvision's _get_gaussian_kernel1d.</summary>
    internal static float[] Kernel(int size, double sigma)
    {
        var half = (size - 1) * 0.5;
        var pdf = Enumerable.Range(0, size).Select(i => Math.Exp(-0.5 * Math.Pow((i - half) / sigma, 2))).ToArray();
        var sum = pdf.Sum();
        return pdf.Select(v => (float)(v / sum)).ToArray();
    }
}
