using System.Text.Json;
using System.Text.Json.Serialization;

namespace US3L.Training;

/// <summary>The resolved config as JSON (snake_case keys, enum names), as written to a run's config.json.</summary>
public static class ConfigJson
{
    internal static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static string Write(PretrainConfig config) => JsonSerializer.Serialize(config, Options);

    /// <summary>Reads a config; an unknown key is an error naming it.</summary>
    public static PretrainConfig Read(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<PretrainConfig>(json, Options) ?? throw new ArgumentException("The config JSON is empty (null).");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"Invalid pretraining config: {e.Message}", e);
        }
    }
}
