using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace US3L.Cli.Notebooks;

/// <summary>
/// Papermill's parameter convention for C# notebooks: the cell tagged <c>parameters</c> declares
/// the defaults (<c>var profile = "smoke"; var seed = 0;</c>); a run injects a new cell tagged
/// <c>injected-parameters</c> right after it with assignments <c>name = value;</c>.
/// </summary>
internal static partial class NotebookParameters
{
    public const string ParametersTag = "parameters";
    public const string InjectedTag = "injected-parameters";

    /// <summary>Parses <c>name=value</c> as given after <c>-p</c>.</summary>
    public static (string Name, string Value) ParseAssignment(string text)
    {
        int eq = text.IndexOf('=');
        string name = eq < 0 ? "" : text[..eq].Trim();
        if (eq < 0 || !Identifier().IsMatch(name))
            throw new ArgumentException($"A parameter is written name=value (a C# identifier, '=', a value), got '{text}'.");
        return (name, text[(eq + 1)..]);
    }

    /// <summary>The variables a parameters cell declares, in order (<c>var x = ...;</c>, <c>double y = ...;</c>).</summary>
    public static IReadOnlyList<string> Declared(string source) =>
        Declaration().Matches(source).Select(m => m.Groups["name"].Value).Distinct().ToList();

    /// <summary>
    /// The C# literal for a command-line value: an integer, a floating-point number or true/false
    /// as typed; anything else (or a value in double quotes) becomes a string literal.
    /// </summary>
    public static string Literal(string value)
    {
        var text = value.Trim();
        if (text.Length >= 2 && text[0] == '"' && text[^1] == '"') return StringLiteral(text[1..^1]);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer))
            return integer.ToString(CultureInfo.InvariantCulture);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double real) && double.IsFinite(real))
        {
            // "R" round-trips; a literal without '.' or 'E' would be an int in C#.
            string r = real.ToString("R", CultureInfo.InvariantCulture);
            return r.Contains('.') || r.Contains('E') ? r : r + ".0";
        }
        if (text is "true" or "True" or "false" or "False") return text.ToLowerInvariant();
        return StringLiteral(value);
    }

    /// <summary>
    /// Returns a copy of <paramref name="notebook"/> with the injected cell after the cell tagged
    /// <c>parameters</c> (replacing an earlier injected cell). An unknown name is an error that
    /// lists the declared ones.
    /// </summary>
    public static JsonObject Inject(JsonObject notebook, IReadOnlyList<(string Name, string Value)> parameters)
    {
        var copy = (JsonObject)notebook.DeepClone();
        if (parameters.Count == 0) return copy;
        var cells = copy["cells"] as JsonArray ?? throw new InvalidDataException("The notebook has no 'cells' list.");
        for (int i = cells.Count - 1; i >= 0; i--)
            if (HasTag(cells[i], InjectedTag)) cells.RemoveAt(i);
        int index = -1;
        for (int i = 0; i < cells.Count && index < 0; i++)
            if (HasTag(cells[i], ParametersTag)) index = i;
        if (index < 0)
            throw new ArgumentException($"The notebook has no cell tagged '{ParametersTag}', so it takes no parameters.");
        var parametersCell = cells[index]!.AsObject();
        var known = Declared(Source(parametersCell));
        foreach (var (name, _) in parameters)
            if (!known.Contains(name))
                throw new ArgumentException(
                    $"Unknown parameter '{name}'. The parameters cell declares: {(known.Count == 0 ? "nothing" : string.Join(", ", known))}.");
        var code = new StringBuilder("// Parameters\n");
        foreach (var (name, value) in parameters) code.Append(name).Append(" = ").Append(Literal(value)).Append(";\n");
        cells.Insert(index + 1, InjectedCell(parametersCell, code.ToString().TrimEnd('\n'), copy));
        return copy;
    }

    /// <summary>A cell's source, which .ipynb stores as one string or as a list of lines.</summary>
    public static string Source(JsonNode? cell) => cell?["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>())),
        JsonValue text => text.GetValue<string>(),
        _ => "",
    };

    private static JsonObject InjectedCell(JsonObject parametersCell, string code, JsonObject notebook)
    {
        // Keep the parameters cell's language metadata (Polyglot's dotnet_interactive) so editors show it as C#.
        var metadata = parametersCell["metadata"]?.DeepClone() as JsonObject ?? new JsonObject();
        metadata["tags"] = new JsonArray(InjectedTag);
        var cell = new JsonObject
        {
            ["cell_type"] = "code",
            ["execution_count"] = null,
            ["metadata"] = metadata,
            ["outputs"] = new JsonArray(),
            ["source"] = code,
        };
        // nbformat 4.5 and later require a cell id.
        if ((notebook["nbformat"]?.GetValue<int>() ?? 4) > 4 || (notebook["nbformat_minor"]?.GetValue<int>() ?? 0) >= 5)
            cell["id"] = InjectedTag;
        return cell;
    }

    private static bool HasTag(JsonNode? cell, string tag) =>
        cell?["metadata"]?["tags"] is JsonArray tags && tags.Any(t => t?.GetValue<string>() == tag);

    private static string StringLiteral(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in text)
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        return sb.Append('"').ToString();
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();

    // A declaration at the start of a statement: an optional `const`, a type (var, int, double[],
    // List<int>, string?), the name, then '=' that is not '=='.
    [GeneratedRegex(@"(?:^|[;{}])\s*(?:const\s+)?[A-Za-z_][\w.<>,\[\]?]*\s+(?<name>[A-Za-z_]\w*)\s*=(?!=)", RegexOptions.Multiline)]
    private static partial Regex Declaration();
}
