using System.Text;

namespace US3L.Kernel.Cells;

/// <summary>One run of lines in one language, or a magic that shows something where it stands.</summary>
internal abstract record CellPart;

/// <summary>
/// Lines in one language. C# text keeps its position: the lines above it are blank, so compiler
/// errors name the line of the cell.
/// </summary>
internal sealed record CodePart(CellLanguage Language, string Text) : CellPart;

/// <summary>A magic that shows something (<c>#!about</c>, <c>#!lsmagic</c>, <c>#!who</c>, <c>#!whos</c>).</summary>
internal sealed record InfoPart(string Magic) : CellPart;

/// <summary>A cell split at its magic lines; <see cref="Timed"/> when it asked for <c>#!time</c>.</summary>
internal sealed record CellPlan(IReadOnlyList<CellPart> Parts, bool Timed);

/// <summary>A cell the kernel refuses before running any of it (an unknown magic, say).</summary>
internal sealed class CellTextException(string message) : Exception(message);

/// <summary>
/// Splits a cell at the magic lines (<c>#!name</c> at the start of a line), as .NET Interactive
/// does: a language magic sends the lines after it to that language until the next one.
/// </summary>
internal static class CellText
{
    public static CellPlan Parse(string code)
    {
        var parts = new List<CellPart>();
        bool timed = false;
        string[] lines = code.Split('\n');
        var language = CellLanguage.CSharp;
        int start = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            string name = MagicName(lines[i]);
            if (name.Length == 0) continue;
            var magic = Magics.Find(name) ?? throw new CellTextException(Magics.Unknown(name, i + 1));
            string rest = lines[i].Trim()[name.Length..].Trim();
            if (rest.Length > 0) throw new CellTextException($"line {i + 1}: {magic.Name} takes no arguments, got '{rest}'");
            AddCode(parts, language, lines, start, i);
            start = i + 1;
            if (magic.Language is { } next) language = next;
            else if (magic.Name == "#!time") timed = true;
            else parts.Add(new InfoPart(magic.Name));
        }
        AddCode(parts, language, lines, start, lines.Length);
        return new CellPlan(parts, timed);
    }

    /// <summary>
    /// The C# of a cell with every other line blank (magic lines, lines in other languages, and
    /// package lines), for completion and completeness checks; never throws.
    /// </summary>
    public static string CSharpOnly(string code)
    {
        string[] lines = code.Split('\n');
        bool csharp = true;
        for (int i = 0; i < lines.Length; i++)
        {
            string name = MagicName(lines[i]);
            if (name.Length > 0)
            {
                if (Magics.Find(name)?.Language is { } language) csharp = language == CellLanguage.CSharp;
                lines[i] = "";
            }
            else if (!csharp || Packages.PackageDirectives.IsDirective(lines[i]))
            {
                lines[i] = "";
            }
        }
        return string.Join('\n', lines);
    }

    private static string MagicName(string line)
    {
        string trimmed = line.TrimStart();
        if (!trimmed.StartsWith("#!", StringComparison.Ordinal)) return "";
        int end = 2;
        while (end < trimmed.Length && !char.IsWhiteSpace(trimmed[end])) end++;
        return trimmed[..end];
    }

    private static void AddCode(List<CellPart> parts, CellLanguage language, string[] lines, int start, int end)
    {
        if (end <= start || lines[start..end].All(string.IsNullOrWhiteSpace)) return;
        if (language == CellLanguage.CSharp)
        {
            var text = new StringBuilder();
            text.Append('\n', start);
            text.AppendJoin('\n', lines[start..end]);
            parts.Add(new CodePart(language, text.ToString()));
        }
        else
        {
            parts.Add(new CodePart(language, string.Join('\n', lines[start..end]).TrimEnd()));
        }
    }
}
