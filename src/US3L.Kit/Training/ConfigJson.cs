using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using US3L.Config;

namespace US3L.Training;

/// <summary>The resolved config as JSON (snake_case keys, enum names), as written to a run's config.json.</summary>
public static partial class ConfigJson
{
    internal static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static string Write(PretrainConfig config) => JsonSerializer.Serialize(config, Options);

    /// <summary>Reads a config; an unknown key, a value of the wrong type or broken JSON is a one-line error naming the key or line.</summary>
    public static PretrainConfig Read(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<PretrainConfig>(json, Options) ?? throw new ArgumentException("The config JSON is empty (null).");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"Invalid pretraining config: {Describe(e)}", e);
        }
    }

    /// <summary>Reads a run folder's config.json; errors name the file.</summary>
    public static PretrainConfig ReadFile(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} is missing; a run folder holds the config.json its run was started with.", path);
        try
        {
            return Read(File.ReadAllText(path));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static string Describe(JsonException e)
    {
        var line = e.LineNumber is { } l ? $" (line {l + 1})" : "";
        if (UnmappedProperty().Match(e.Message) is { Success: true } m)
        {
            var key = m.Groups[1].Value;
            var hint = SnakeCase.Closest(key, ConfigSchema.For<PretrainConfig>().Keys) is { } close ? $" Did you mean '{close}'?" : "";
            return $"unknown key '{key}'{line}.{hint}";
        }
        if (e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal))
            return $"'{path[2..]}'{line} has a value of the wrong type, or a name it does not know.";
        return $"not valid JSON{line}.";
    }

    [GeneratedRegex("The JSON property '([^']*)' could not be mapped")]
    private static partial Regex UnmappedProperty();
}
