using System.Text.Json.Nodes;

namespace US3L.Cli.Tests;

/// <summary>Small notebooks written the way Polyglot writes them (kernelspec .net-csharp, C# cell metadata).</summary>
internal static class TestNotebook
{
    public static JsonObject Code(string source, params string[] tags)
    {
        var metadata = new JsonObject
        {
            ["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" },
            ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" },
        };
        if (tags.Length > 0) metadata["tags"] = new JsonArray(tags.Select(t => (JsonNode)t).ToArray());
        return new JsonObject
        {
            ["cell_type"] = "code",
            ["execution_count"] = null,
            ["metadata"] = metadata,
            ["outputs"] = new JsonArray(),
            ["source"] = source,
        };
    }

    public static JsonObject Markdown(string source) => new()
    {
        ["cell_type"] = "markdown",
        ["metadata"] = new JsonObject(),
        ["source"] = source,
    };

    public static JsonObject Create(params JsonObject[] cells) => new()
    {
        ["cells"] = new JsonArray(cells),
        ["metadata"] = new JsonObject
        {
            ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
            ["language_info"] = new JsonObject { ["name"] = "C#", ["pygments_lexer"] = "csharp" },
        },
        ["nbformat"] = 4,
        ["nbformat_minor"] = 4,
    };

    /// <summary>Writes the notebook to <paramref name="path"/>; returns the path.</summary>
    public static string Write(JsonObject notebook, string path)
    {
        File.WriteAllText(path, notebook.ToJsonString());
        return path;
    }

    /// <summary>The text of every stream output of a cell.</summary>
    public static string StreamText(JsonNode? cell) =>
        string.Concat((cell?["outputs"] as JsonArray ?? []).Where(o => o?["output_type"]?.GetValue<string>() == "stream")
            .Select(o => o!["text"] is JsonArray lines ? string.Concat(lines.Select(l => l!.GetValue<string>())) : o["text"]!.GetValue<string>()));
}
