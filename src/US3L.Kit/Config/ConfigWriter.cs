using System.Text;
using US3L.Training;

namespace US3L.Config;

/// <summary>
/// Writes a resolved config as YAML, every field spelled out, so the run can be repeated from its
/// folder alone. The JSON form is <see cref="ConfigJson"/>'s (a run's config.json);
/// <see cref="RecipeLoader.Load"/> reads both back.
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

    /// <summary>The resolved config as YAML, with a header naming the recipe, profile and overrides.</summary>
    public static string ToYaml(Recipe recipe)
    {
        var header = new List<string> { $"recipe: {recipe.Name} ({recipe.Path})", $"profile: {recipe.Profile ?? "(base)"}" };
        if (recipe.Overrides.Count > 0) header.Add("overrides: " + string.Join(" ", recipe.Overrides));
        return ToYaml(recipe.Config, header);
    }

    /// <summary>Writes only the config (YAML for .yaml/.yml, JSON for .json).</summary>
    public static void Save(PretrainConfig config, string path)
    {
        var text = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".json" => ConfigJson.Write(config),
            ".yaml" or ".yml" => ToYaml(config),
            _ => throw new ArgumentException($"Config path '{path}' must end in .yaml, .yml or .json."),
        };
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        File.WriteAllText(path, text);
    }
}
