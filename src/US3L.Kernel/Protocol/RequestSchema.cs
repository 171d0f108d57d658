using System.Text.Json;
using System.Text.Json.Nodes;

namespace US3L.Kernel.Protocol;

/// <summary>
/// The content fields of the requests the kernel serves, with their JSON types (messaging spec
/// 5.3). A request whose fields have the wrong type is refused before any handler reads it, so
/// a malformed execute_request never runs half-read.
/// </summary>
internal static class RequestSchema
{
    private enum Kind { String, Boolean, Integer, Object }

    private sealed record Field(string Name, Kind Kind, bool Required = false);

    private static readonly Dictionary<string, Field[]> Requests = new(StringComparer.Ordinal)
    {
        ["execute_request"] =
        [
            new("code", Kind.String, Required: true), new("silent", Kind.Boolean), new("store_history", Kind.Boolean),
            new("allow_stdin", Kind.Boolean), new("stop_on_error", Kind.Boolean), new("user_expressions", Kind.Object),
        ],
        ["complete_request"] = [new("code", Kind.String, Required: true), new("cursor_pos", Kind.Integer)],
        ["inspect_request"] = [new("code", Kind.String, Required: true), new("cursor_pos", Kind.Integer), new("detail_level", Kind.Integer)],
        ["is_complete_request"] = [new("code", Kind.String, Required: true)],
        ["history_request"] =
        [
            new("hist_access_type", Kind.String), new("output", Kind.Boolean), new("raw", Kind.Boolean), new("session", Kind.Integer),
            new("start", Kind.Integer), new("stop", Kind.Integer), new("n", Kind.Integer), new("pattern", Kind.String), new("unique", Kind.Boolean),
        ],
        ["shutdown_request"] = [new("restart", Kind.Boolean)],
        ["comm_info_request"] = [new("target_name", Kind.String)],
        ["kernel_info_request"] = [],
        ["interrupt_request"] = [],
    };

    /// <summary>
    /// Null when the request's content is well-typed (or the type is not one the kernel serves);
    /// else why not. An optional field given as null counts as absent, as clients send it so.
    /// </summary>
    public static string? Problem(string msgType, JsonObject content)
    {
        if (!Requests.TryGetValue(msgType, out Field[]? fields)) return null;
        foreach (Field field in fields)
        {
            JsonNode? node = content[field.Name];
            if (node is null)
            {
                if (field.Required) return $"{msgType}: content.{field.Name} is missing";
                continue;
            }
            if (!Matches(node, field.Kind))
                return $"{msgType}: content.{field.Name} must be {Describe(field.Kind)}, got {Describe(node)}";
        }
        return null;
    }

    private static bool Matches(JsonNode node, Kind kind) => kind switch
    {
        Kind.Object => node is JsonObject,
        Kind.String => node.GetValueKind() == JsonValueKind.String,
        Kind.Boolean => node.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        Kind.Integer => node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue(out int _),
        _ => false,
    };

    private static string Describe(Kind kind) => kind switch
    {
        Kind.Object => "an object",
        Kind.String => "a string",
        Kind.Boolean => "true or false",
        _ => "an integer",
    };

    private static string Describe(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
