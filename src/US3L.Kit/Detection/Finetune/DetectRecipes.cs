using US3L.Config;

namespace US3L.Detection;

/// <summary>A detection recipe resolved for one profile: the config and where it came from.</summary>
public sealed record DetectRecipe(string Name, string? Profile, string Path, string Description, IReadOnlyList<string> Profiles,
    IReadOnlyList<string> Overrides, DetectFinetuneConfig Config)
{
    /// <summary>The resolved config as YAML with a header naming the recipe, profile and overrides (a run's config.yaml).</summary>
    public string ToYaml()
    {
        var header = new List<string> { $"recipe: {Name} ({Path})", $"profile: {Profile ?? "(base)"}" };
        if (Overrides.Count > 0) header.Add("overrides: " + string.Join(" ", Overrides));
        return ConfigWriter.ToYaml(Config, header);
    }
}

/// <summary>
/// Detection fine-tuning recipes (science.md 10.6): YAML files in <c>Recipes/detection/</c> in the
/// pretraining recipes' format (<see cref="RecipeLoader"/>): <see cref="DetectFinetuneConfig"/>
/// fields, a description, and smoke/short/full profiles.
/// </summary>
public static class DetectRecipes
{
    /// <summary>Recipes/detection/ next to the kit assembly.</summary>
    public static string Folder { get; } = System.IO.Path.Combine(RecipeLoader.Folder, "detection");

    /// <summary>The shipped detection recipes, sorted.</summary>
    public static IReadOnlyList<string> Names => Directory.Exists(Folder)
        ? Directory.GetFiles(Folder, "*.yaml").Select(f => System.IO.Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal).ToArray()
        : Array.Empty<string>();

    public static DetectFinetuneConfig Load(string nameOrPath, string? profile = null, IEnumerable<string>? overrides = null) =>
        Resolve(nameOrPath, profile, overrides).Config;

    /// <summary>A shipped recipe name or a YAML path, under a profile and <c>key=value</c> overrides; validated.</summary>
    public static DetectRecipe Resolve(string nameOrPath, string? profile = null, IEnumerable<string>? overrides = null)
    {
        var path = Find(nameOrPath);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new ConfigException(path, null, $"cannot read the recipe: {e.Message}", e);
        }
        var (config, description, profiles, sets) = RecipeLoader.ParseSections(text, path, profile, overrides, new DetectFinetuneConfig());
        config.Validate(profile is null ? path : $"{path} (profile {profile})");
        return new DetectRecipe(System.IO.Path.GetFileNameWithoutExtension(path), profile, path, description, profiles, sets, config);
    }

    private static string Find(string nameOrPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        if (nameOrPath.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || nameOrPath.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
            || nameOrPath.Contains('/'))
            return File.Exists(nameOrPath) ? System.IO.Path.GetFullPath(nameOrPath) : throw new ConfigException(nameOrPath, null, "recipe file not found.");
        var shipped = System.IO.Path.Combine(Folder, nameOrPath + ".yaml");
        if (File.Exists(shipped)) return shipped;
        var hint = SnakeCase.Closest(nameOrPath, Names) is { } close ? $" Did you mean '{close}'?" : "";
        throw new ConfigException(nameOrPath, null, $"no such detection recipe in {Folder}.{hint} Recipes: {string.Join(", ", Names)}; or give the path of a YAML file.");
    }
}
