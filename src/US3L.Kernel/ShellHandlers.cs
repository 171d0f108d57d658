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
        var completion = kernel.Intelligence.Complete(code, cursor);
        return new JsonObject
        {
            ["status"] = "ok",
            ["matches"] = new JsonArray(completion.Matches.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
            ["cursor_start"] = CodePoints(code[..completion.Start]),
            ["cursor_end"] = CodePoints(code[..completion.End]),
            ["metadata"] = new JsonObject(),
        };
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
