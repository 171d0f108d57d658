namespace US3L.Data;

/// <summary>
/// A procedurally generated RGB set whose class is a shape (science.md 8.1, "a harder benchmark"):
/// foreground and background colour, position, size, a small rotation and pixel noise are nuisance
/// variables that an SSL method must learn to ignore. Image i depends only on (seed, i), so a set is
/// reproducible and a larger set extends a smaller one with the same seed.
/// </summary>
public static class SyntheticShapes
{
    public static readonly IReadOnlyList<string> ClassNames = new[] { "circle", "square", "triangle", "diamond", "cross", "ring" };

    /// <summary>
    /// <paramref name="count"/> images of <paramref name="side"/>×<paramref name="side"/> RGB; labels
    /// cycle through the classes (i mod K), so classes are balanced.
    /// </summary>
    public static InMemoryImageDataset Generate(int count, long seed, int side = 32)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), $"count must be positive, got {count}.");
        if (side < 12) throw new ArgumentOutOfRangeException(nameof(side), $"side must be at least 12 pixels, got {side}.");
        var size = 3 * side * side;
        var pixels = new byte[(long)count * size];
        var labels = new long[count];
        Parallel.For(0, count, i =>
        {
            labels[i] = i % ClassNames.Count;
            Draw((int)labels[i], SeededRandom.Derive(seed, i), side, pixels.AsSpan(i * size, size));
        });
        return new InMemoryImageDataset($"shapes{side}/seed{seed}", 3, side, side, ClassNames, pixels, labels);
    }

    private static void Draw(int shape, SeededRandom rng, int side, Span<byte> chw)
    {
        var background = RandomColour(rng);
        double[] foreground;
        do foreground = RandomColour(rng);
        while (Math.Abs(Luma(foreground) - Luma(background)) < 70);

        var radius = rng.NextDouble(0.2, 0.38) * side;
        var cx = rng.NextDouble(radius + 1, side - radius - 1);
        var cy = rng.NextDouble(radius + 1, side - radius - 1);
        var angle = rng.NextDouble(-0.25, 0.25);
        var (sin, cos) = Math.SinCos(angle);
        var plane = side * side;

        for (var y = 0; y < side; y++)
            for (var x = 0; x < side; x++)
            {
                // 3x3 supersampling gives anti-aliased edges, so size and position vary smoothly.
                var cover = 0;
                for (var sy = 0; sy < 3; sy++)
                    for (var sx = 0; sx < 3; sx++)
                    {
                        var dx = x + (sx + 0.5) / 3 - cx;
                        var dy = y + (sy + 0.5) / 3 - cy;
                        var u = (cos * dx + sin * dy) / radius;
                        var v = (-sin * dx + cos * dy) / radius;
                        if (Inside(shape, u, v)) cover++;
                    }
                var a = cover / 9.0;
                for (var c = 0; c < 3; c++)
                {
                    var value = a * foreground[c] + (1 - a) * background[c] + rng.NextDouble(-10, 10);
                    chw[c * plane + y * side + x] = (byte)Math.Clamp(Math.Round(value), 0, 255);
                }
            }
    }

    /// <summary>Shape membership in coordinates scaled so the shape's outer radius is 1.</summary>
    private static bool Inside(int shape, double u, double v) => shape switch
    {
        0 => u * u + v * v <= 1,
        1 => Math.Abs(u) <= 0.8 && Math.Abs(v) <= 0.8,
        2 => v <= 0.5 && v >= -1 + Math.Sqrt(3) * Math.Abs(u),
        3 => Math.Abs(u) + Math.Abs(v) <= 1,
        4 => (Math.Abs(u) <= 0.3 && Math.Abs(v) <= 1) || (Math.Abs(v) <= 0.3 && Math.Abs(u) <= 1),
        5 => u * u + v * v <= 1 && u * u + v * v >= 0.55 * 0.55,
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    private static double[] RandomColour(SeededRandom rng) => new[] { rng.NextDouble(0, 255), rng.NextDouble(0, 255), rng.NextDouble(0, 255) };

    private static double Luma(double[] rgb) => 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
}
