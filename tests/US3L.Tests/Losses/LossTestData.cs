using System.Globalization;

namespace US3L.Tests.Losses;

/// <summary>Small float64 inputs and plain double references for the loss tests.</summary>
internal static class LossTestData
{
    public static Tensor Randn(long rows, long cols, long seed)
    {
        using var g = new Generator(seed);
        return torch.randn(new[] { rows, cols }, torch.float64, generator: g);
    }

    public static double[][] Rows(Tensor x)
    {
        var flat = x.ToArray<double>();
        var (n, d) = ((int)x.size(0), (int)x.size(1));
        return Enumerable.Range(0, n).Select(i => flat.AsSpan(i * d, d).ToArray()).ToArray();
    }

    public static double[] Normalize(double[] v)
    {
        var norm = Math.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    public static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

    /// <summary>A tensor as a Python list literal, for the PyTorch reference scripts.</summary>
    public static string PyList(Tensor x) =>
        "[" + string.Join(", ", Rows(x).Select(r => "[" + string.Join(", ", r.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]")) + "]";

    public static double[] ParseDoubles(string line) =>
        line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
}
