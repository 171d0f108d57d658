using System.Text.Json.Nodes;
using US3L.Kernel.Cells;

namespace US3L.Kernel;

/// <summary>The editor-side requests: complete, inspect and is_complete.</summary>
internal sealed class ShellHandlers(JupyterKernel kernel)
{
    public JsonObject Complete(JsonObject content)
    {
        string code = (string?)content["code"] ?? "";
        int cursor = ToUtf16(code, (int?)content["cursor_pos"] ?? CodePoints(code));
        var completion = MagicCompletion(code, cursor) ?? kernel.Intelligence.Complete(code, cursor);
        return new JsonObject
        {
            ["status"] = "ok",
            ["matches"] = new JsonArray(completion.Matches.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
            ["cursor_start"] = CodePoints(code[..completion.Start]),
            ["cursor_end"] = CodePoints(code[..completion.End]),
            ["metadata"] = new JsonObject(),
        };
    }

    /// <summary>A magic being typed at the start of a line (<c>#!ma</c>) completes to the magic names.</summary>
    internal static CodeIntelligence.Completion? MagicCompletion(string code, int cursor)
    {
        int lineStart = code.LastIndexOf('\n', Math.Max(0, cursor - 1)) + 1;
        if (cursor < lineStart) lineStart = cursor;
        string typed = code[lineStart..cursor].TrimStart();
        if (!typed.StartsWith("#!", StringComparison.Ordinal) || typed.Any(char.IsWhiteSpace)) return null;
        var matches = Magics.All.SelectMany(m => m.Aliases.Prepend(m.Name))
            .Where(n => n.StartsWith(typed, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        return new CodeIntelligence.Completion(matches, cursor - typed.Length, cursor);
    }

    public JsonObject Inspect(JsonObject content)
    {
        string code = (string?)content["code"] ?? "";
        int cursor = ToUtf16(code, (int?)content["cursor_pos"] ?? CodePoints(code));
        string? text = kernel.Intelligence.Inspect(code, cursor);
        return new JsonObject
        {
            ["status"] = "ok",
            ["found"] = text is not null,
            ["data"] = text is null ? new JsonObject() : new JsonObject { ["text/plain"] = text },
            ["metadata"] = new JsonObject(),
        };
    }

    public JsonObject IsComplete(JsonObject content)
    {
        string status = CodeIntelligence.IsComplete((string?)content["code"] ?? "");
        var reply = new JsonObject { ["status"] = status };
        if (status == "incomplete") reply["indent"] = "    ";
        return reply;
    }

    /// <summary>Protocol 5.2+ counts cursor positions in Unicode code points; .NET strings in UTF-16 units.</summary>
    internal static int ToUtf16(string text, int codePoints)
    {
        int index = 0;
        for (int n = 0; n < codePoints && index < text.Length; n++)
            index += char.IsHighSurrogate(text[index]) && index + 1 < text.Length ? 2 : 1;
        return index;
    }

    internal static int CodePoints(string text) => text.EnumerateRunes().Count();
}
