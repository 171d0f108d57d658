namespace US3L.Data;

/// <summary>
/// A small deterministic random stream (SplitMix64). Shuffles, subsets and the synthetic set use it
/// instead of <see cref="Random"/> so that the same seed gives the same data on every .NET version
/// and on every thread, independent of libtorch's global generator.
/// </summary>
public sealed class SeededRandom
{
    private ulong state;

    public SeededRandom(long seed) => state = unchecked((ulong)seed);

    /// <summary>A stream derived from several integers (e.g. seed and epoch), well mixed.</summary>
    public static SeededRandom Derive(long seed, long stream) =>
        new(unchecked((long)Mix((ulong)seed ^ Mix((ulong)stream + 0x632BE59BD9B4E019UL))));

    public ulong NextUInt64()
    {
        state = unchecked(state + 0x9E3779B97F4A7C15UL);
        return Mix(state);
    }

    /// <summary>Uniform in [0, n).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), $"n must be positive, got {n}.");
        // Lemire's multiply-shift; the bias is below 2^-32 for the sizes used here.
        return (int)((NextUInt64() >> 32) * (ulong)n >> 32);
    }

    /// <summary>Uniform in [lo, hi).</summary>
    public int NextInt(int lo, int hi) => lo + NextInt(hi - lo);

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double NextDouble(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A random permutation of 0..n-1.</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (var i = 0; i < n; i++) p[i] = i;
        Shuffle<int>(p);
        return p;
    }

    private static ulong Mix(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
