namespace US3L.Slimmable;

/// <summary>
/// The channel rounding rule of science.md 1.2: a layer with <c>C_max</c> channels runs
/// <c>C(w) = r * MakeDivisible(C_max * w / r)</c> channels at width w, where r is the layer's ratio
/// (1 except in MobileNetV2's expanded layers, where r = t keeps the expansion exact).
/// </summary>
public static class WidthRule
{
    /// <summary>Widths are compared with this tolerance (0.1 + 0.15 must equal 0.25).</summary>
    internal const double Tolerance = 1e-9;

    /// <summary>
    /// Nearest multiple of <paramref name="divisor"/> (at least <paramref name="minValue"/>), and never
    /// more than 10 % below <paramref name="v"/>: the US-Nets / MobileNet <c>make_divisible</c>.
    /// </summary>
    public static int MakeDivisible(double v, int divisor = 8, int minValue = 1)
    {
        if (divisor < 1) throw new ArgumentException($"The channel divisor must be a positive integer, got {divisor}.");
        if (!(v > 0) || double.IsInfinity(v)) throw new ArgumentException($"MakeDivisible needs a positive finite channel count, got {v}.");
        var rounded = Math.Max(minValue, (int)Math.Floor((v + divisor / 2.0) / divisor) * divisor);
        return rounded < 0.9 * v ? rounded + divisor : rounded;
    }

    /// <summary>C(w) for a layer with <paramref name="maxChannels"/> channels at full width.</summary>
    public static int Channels(int maxChannels, double width, int ratio = 1, int divisor = 8)
    {
        CheckWidth(width);
        if (maxChannels < 1) throw new ArgumentException($"A layer needs at least one channel, got {maxChannels}.");
        if (ratio < 1 || maxChannels % ratio != 0)
            throw new ArgumentException($"The channel ratio {ratio} must be a positive divisor of the channel count {maxChannels}.");
        return ratio * MakeDivisible(maxChannels * width / ratio, divisor);
    }

    /// <summary>A layer runs at a width in (0, 1]: the fraction of its full channels.</summary>
    internal static void CheckWidth(double width)
    {
        if (!(width > 0) || width > 1 + Tolerance)
            throw new ArgumentOutOfRangeException(null, $"A width multiplier must be in (0, 1], got {width}.");
    }
}
