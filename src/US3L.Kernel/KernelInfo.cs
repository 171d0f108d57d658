using System.Reflection;
using System.Text.Json.Nodes;

namespace US3L.Kernel;

/// <summary>kernel_info_reply: who this kernel is and which language it runs.</summary>
internal static class KernelInfo
{
    public static JsonObject Reply() => new()
    {
        ["status"] = "ok",
        ["protocol_version"] = Protocol.Message.ProtocolVersion,
        ["implementation"] = "us3l-csharp",
        ["implementation_version"] = Assembly.GetExecutingAssembly().GetName().Version?.ToString() ?? "0.0",
        ["language_info"] = new JsonObject
        {
            ["name"] = "csharp",
            ["version"] = "14.0",
            ["mimetype"] = "text/x-csharp",
            ["file_extension"] = ".cs",
            ["pygments_lexer"] = "csharp",
            ["codemirror_mode"] = "text/x-csharp",
        },
        ["banner"] = $"C# (US3L) on .NET {Environment.Version}: cells run as C# scripts; display(x), x.Display(), #r \"path.dll\"",
        ["debugger"] = false,
        ["help_links"] = new JsonArray(),
    };
}
