using System.Text;

namespace US3L.Config;

/// <summary>
/// Config keys and enum values are the snake_case of the C# names: <c>EmaMomentum</c> is
/// <c>ema_momentum</c>, <c>DynamicA</c> is <c>dynamic_a</c>. Method names the field writes as one
/// word stay one word (<c>SimClrMomentum</c> is <c>simclr_momentum</c>, not <c>sim_clr_momentum</c>).
/// </summary>
public static class SnakeCase
{
    private static readonly string[] Compounds = { "SimClr", "SimSiam", "NtXent", "InfoNce", "AdamW" };

    /// <summary>The snake_case spelling of a PascalCase name.</summary>
    public static string Of(string pascal)
    {
        foreach (var c in Compounds) pascal = pascal.Replace(c, c[0] + c[1..].ToLowerInvariant(), StringComparison.Ordinal);
        var sb = new StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            var ch = pascal[i];
            if (char.IsUpper(ch) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(ch));
        }
        return sb.ToString();
    }

    /// <summary>A spelling with case, '_' and '-' removed: how enum values are matched, so sim_clr and simclr both work.</summary>
    public static string Loose(string text) =>
        new(text.Where(ch => ch is not ('_' or '-')).Select(char.ToLowerInvariant).ToArray());

    /// <summary>The edit distance between two strings (for "did you mean" suggestions).</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    /// <summary>The candidate closest to <paramref name="text"/>, if it is close enough to be a likely typo.</summary>
    public static string? Closest(string text, IEnumerable<string> candidates)
    {
        var best = candidates.Select(c => (c, d: Distance(text, c))).OrderBy(p => p.d).FirstOrDefault();
        return best.c is not null && best.d <= Math.Max(2, text.Length / 3) ? best.c : null;
    }
}
