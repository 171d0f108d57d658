using US3L.Torch;

namespace US3L.Augmentation;

/// <summary>
/// Per-sample random draws on the CPU from a <see cref="Generator"/>, and the small per-sample
/// tensors (masks, factors, indices) that carry them to the images' device.
/// </summary>
internal static class SampleRandom
{
    /// <summary><paramref name="count"/> uniform numbers in [0, 1), in one draw.</summary>
    public static double[] Uniform(Generator generator, int count)
    {
        if (count == 0) return Array.Empty<double>();
        using var t = torch.rand(new long[] { count }, ScalarType.Float64, Device.CPU, generator);
        return t.ToArray<double>();
    }

    /// <summary>One coin per sample, true with probability p (drawn even when p is 0 or 1).</summary>
    public static bool[] Bernoulli(Generator generator, int count, double p) =>
        Uniform(generator, count).Select(u => u < p).ToArray();

    /// <summary>min + u (max - min).</summary>
    public static double Lerp((double Min, double Max) range, double u) => range.Min + u * (range.Max - range.Min);

    /// <summary>Per-sample values as float32 [B, 1, 1, 1] on the device of <paramref name="like"/>.</summary>
    public static Tensor Column(IReadOnlyList<double> values, Tensor like)
    {
        var data = values.Select(v => (float)v).ToArray();
        return torch.tensor<float>(data, new long[] { data.Length, 1, 1, 1 }, like.device);
    }

    /// <summary>Per-sample flags as bool [B, 1, 1, 1] on the device of <paramref name="like"/>.</summary>
    public static Tensor Mask(bool[] flags, Tensor like) =>
        torch.tensor<bool>(flags, new long[] { flags.Length, 1, 1, 1 }, like.device);

    /// <summary>Indices as int64 [n] on the device of <paramref name="like"/>.</summary>
    public static Tensor Index(IReadOnlyList<long> indices, Tensor like) =>
        torch.tensor<long>(indices.ToArray(), new long[] { indices.Count }, like.device);

    /// <summary>The positions of the set flags.</summary>
    public static int[] Selected(bool[] flags) => Enumerable.Range(0, flags.Length).Where(i => flags[i]).ToArray();
}
