using System.Text.RegularExpressions;
using US3L.Kernel.Cells;

namespace US3L.Kernel.Packages;

/// <summary>A package a cell asked for; <see cref="Version"/> null means the newest stable release.</summary>
internal sealed record PackageRequest(string Name, string? Version)
{
    public override string ToString() => Version is null ? Name : $"{Name} {Version}";
}

/// <summary>
/// The package lines of C# cell text, as .NET Interactive spells them:
/// <c>#r "nuget: Name, Version"</c>, <c>#r "nuget: Name"</c> (newest stable) and
/// <c>#i "nuget: https://feed/index.json"</c> (an extra feed). They are taken out of the C# (the
/// lines stay, blank, so compiler errors keep the cell's line numbers).
/// </summary>
internal static partial class PackageDirectives
{
    public sealed record Extracted(string Code, IReadOnlyList<PackageRequest> Packages, IReadOnlyList<string> Sources);

    public static bool IsDirective(string line) => Directive().IsMatch(line);

    /// <summary>Throws <see cref="CellTextException"/> naming the line of a malformed package line.</summary>
    public static Extracted Extract(string code)
    {
        var packages = new List<PackageRequest>();
        var sources = new List<string>();
        string[] lines = code.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            Match match = Directive().Match(lines[i]);
            if (!match.Success) continue;
            string kind = match.Groups["kind"].Value, body = match.Groups["body"].Value.Trim();
            if (kind == "i")
            {
                if (body.Length == 0) throw new CellTextException($"line {i + 1}: #i \"nuget:\" needs a feed, e.g. #i \"nuget: https://api.nuget.org/v3/index.json\"");
                sources.Add(body);
            }
            else
            {
                packages.Add(ParsePackage(body, i + 1));
            }
            lines[i] = "";
        }
        return new Extracted(string.Join('\n', lines), packages, sources);
    }

    private static PackageRequest ParsePackage(string body, int line)
    {
        string[] fields = body.Split(',', StringSplitOptions.TrimEntries);
        if (fields.Length > 2 || fields[0].Length == 0 || fields[0].Any(char.IsWhiteSpace) || fields.Length == 2 && fields[1].Length == 0)
            throw new CellTextException($"line {line}: expected #r \"nuget: Name, Version\" or #r \"nuget: Name\", got #r \"nuget: {body}\"");
        return new PackageRequest(fields[0], fields.Length == 2 ? fields[1] : null);
    }

    [GeneratedRegex(@"^\s*#(?<kind>[ri])\s+""nuget:(?<body>[^""]*)""\s*$")]
    private static partial Regex Directive();
}
