using System.Text;
using System.Text.Json;
using US3L.Training;

namespace US3L.Config;

/// <summary>
/// Writes a resolved config for a run folder, every field spelled out, so the run can be repeated
/// from its folder alone (<see cref="RecipeLoader.Load"/> reads both formats back: JSON is YAML).
/// </summary>
public static class ConfigWriter
{
    /// <summary>
    /// YAML text: optional <c>#</c> header lines, then one <c>key: value</c> line per field in
    /// declaration order.
    /// </summary>
    public static string ToYaml<T>(T config, IEnumerable<string>? header = null) where T : class
    {
        var sb = new StringBuilder();
        foreach (var line in header ?? Array.Empty<string>()) sb.Append("# ").Append(line).Append('\n');
        foreach (var field in ConfigSchema.For(config.GetType()).Fields)
            sb.Append(field.Key).Append(": ").Append(ConfigValues.Format(field.Property.GetValue(config))).Append('\n');
        return sb.ToString();
    }

    /// <summary>One indented JSON object with snake_case keys; enums as their snake_case names.</summary>
    public static string ToJson<T>(T config) where T : class
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            foreach (var field in ConfigSchema.For(config.GetType()).Fields)
            {
                json.WritePropertyName(field.Key);
                // With json: true, ConfigValues.Format writes JSON scalars and [a, b] lists.
                json.WriteRawValue(ConfigValues.Format(field.Property.GetValue(config), json: true));
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>The resolved config as YAML, with a header naming the recipe, profile and overrides.</summary>
    public static string ToYaml(Recipe recipe)
    {
        var header = new List<string> { $"recipe: {recipe.Name} ({recipe.Path})", $"profile: {recipe.Profile ?? "(base)"}" };
        if (recipe.Overrides.Count > 0) header.Add("overrides: " + string.Join(" ", recipe.Overrides));
        return ToYaml(recipe.Config, header);
    }

    /// <summary>
    /// Writes <c>config.yaml</c> and <c>config.json</c> into <paramref name="runFolder"/> (created if
    /// needed); the YAML header names the recipe, profile and overrides.
    /// </summary>
    public static void WriteRunFolder(string runFolder, Recipe recipe)
    {
        Directory.CreateDirectory(runFolder);
        File.WriteAllText(Path.Combine(runFolder, "config.yaml"), ToYaml(recipe));
        File.WriteAllText(Path.Combine(runFolder, "config.json"), ToJson(recipe.Config));
    }

    /// <summary>Writes only the config (YAML for .yaml/.yml, JSON for .json).</summary>
    public static void Save(PretrainConfig config, string path)
    {
        var text = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".json" => ToJson(config),
            ".yaml" or ".yml" => ToYaml(config),
            _ => throw new ArgumentException($"Config path '{path}' must end in .yaml, .yml or .json."),
        };
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        File.WriteAllText(path, text);
    }
}
