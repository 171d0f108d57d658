using US3L.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace US3L.Config;

/// <summary>A recipe resolved for one profile: the config and where it came from.</summary>
/// <param name="Name">The recipe name (the file name without .yaml).</param>
/// <param name="Profile">The profile applied, or null for the recipe's base section alone.</param>
/// <param name="Path">The YAML file read.</param>
/// <param name="Description">The recipe's description line.</param>
/// <param name="Profiles">The profiles the file defines.</param>
/// <param name="Overrides">The <c>key=value</c> overrides applied after the profile.</param>
/// <param name="Config">The validated config.</param>
public sealed record Recipe(string Name, string? Profile, string Path, string Description, IReadOnlyList<string> Profiles,
    IReadOnlyList<string> Overrides, PretrainConfig Config);

/// <summary>
/// Reads pretraining recipes: YAML files whose top-level keys are <see cref="PretrainConfig"/>
/// fields (the base, normally the paper's scale), plus <c>description:</c> and <c>profiles:</c>,
/// a mapping from profile name (<c>smoke</c>, <c>short</c>, <c>full</c>) to the fields it changes.
/// Resolution order: record defaults, then the base section, then the profile, then the
/// <c>key=value</c> overrides; the result is validated.
/// <code>
/// var config = RecipeLoader.Load("fashion-mnist-us3l", "smoke", new[] { "ema_momentum=0" });
/// </code>
/// </summary>
public static class RecipeLoader
{
    /// <summary>The standard profiles: seconds (CI), a few minutes on 2 CPU cores, the paper's scale (GPU).</summary>
    public static IReadOnlyList<string> StandardProfiles { get; } = new[] { "smoke", "short", "full" };

    private const string DescriptionKey = "description";
    private const string ProfilesKey = "profiles";

    /// <summary>The folder of the shipped recipes: Recipes/ next to the kit assembly.</summary>
    public static string Folder { get; } = System.IO.Path.Combine(
        System.IO.Path.GetDirectoryName(typeof(RecipeLoader).Assembly.Location) ?? AppContext.BaseDirectory, "Recipes");

    /// <summary>The names of the shipped recipes, sorted.</summary>
    public static IReadOnlyList<string> Names => Directory.Exists(Folder)
        ? Directory.GetFiles(Folder, "*.yaml").Select(f => System.IO.Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal).ToArray()
        : Array.Empty<string>();

    /// <summary>The validated config of <paramref name="nameOrPath"/> under <paramref name="profile"/> and <paramref name="overrides"/>.</summary>
    public static PretrainConfig Load(string nameOrPath, string? profile = null, IEnumerable<string>? overrides = null) =>
        Resolve(nameOrPath, profile, overrides).Config;

    /// <summary>
    /// Like <see cref="Load"/>, with the recipe's name, description and profiles.
    /// <paramref name="nameOrPath"/> is a shipped recipe name (see <see cref="Names"/>) or the path of a YAML file.
    /// </summary>
    public static Recipe Resolve(string nameOrPath, string? profile = null, IEnumerable<string>? overrides = null)
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
        return Parse(text, path, profile, overrides);
    }

    /// <summary>Resolves recipe text; <paramref name="path"/> names it in errors and gives the recipe its name.</summary>
    public static Recipe Parse(string yaml, string path, string? profile = null, IEnumerable<string>? overrides = null)
    {
        var (config, description, profiles, sets) = ParseSections(yaml, path, profile, overrides, new PretrainConfig());
        var name = System.IO.Path.GetFileNameWithoutExtension(path);
        ConfigValidator.Validate(config, profile is null ? path : $"{path} (profile {profile})");
        return new Recipe(name, profile, path, description, profiles, sets, config);
    }

    /// <summary>
    /// The recipe format for any config record <typeparamref name="T"/>: <paramref name="defaults"/>,
    /// then the base section, the profile and the overrides (not validated); with the description,
    /// the profiles defined and the overrides applied.
    /// </summary>
    public static (T Config, string Description, IReadOnlyList<string> Profiles, IReadOnlyList<string> Overrides) ParseSections<T>(string yaml,
        string path, string? profile, IEnumerable<string>? overrides, T defaults) where T : class
    {
        var root = Root(yaml, path);
        var description = "";
        var profiles = new Dictionary<string, YamlMappingNode>(StringComparer.Ordinal);
        var baseSection = new YamlMappingNode();
        foreach (var (keyNode, value) in root.Children)
        {
            switch (ConfigOverrides.KeyText(keyNode, path))
            {
                case DescriptionKey:
                    description = value is YamlScalarNode { Value: { } d } ? d
                        : throw new ConfigException(path, ConfigValues.Line(value), "'description' must be one line of text.");
                    break;
                case ProfilesKey:
                    ReadProfiles(value, path, profiles);
                    break;
                default:
                    baseSection.Add(keyNode, value);
                    break;
            }
        }

        var config = ConfigOverrides.Apply(defaults, baseSection, path);
        if (profile is not null)
        {
            if (!profiles.TryGetValue(profile, out var section))
                throw new ConfigException(path, null,
                    $"no profile '{profile}'; this recipe defines {(profiles.Count == 0 ? "none" : string.Join(", ", profiles.Keys))}.");
            config = ConfigOverrides.Apply(config, section, path);
        }
        var sets = overrides?.ToArray() ?? Array.Empty<string>();
        config = ConfigOverrides.Apply(config, sets);
        return (config, description, profiles.Keys.ToArray(), sets);
    }

    /// <summary>The path a name or path refers to; an unknown name is an error listing the shipped recipes.</summary>
    public static string Find(string nameOrPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        var looksLikePath = nameOrPath.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || nameOrPath.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
            || nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            || nameOrPath.Contains('/') || nameOrPath.Contains(System.IO.Path.DirectorySeparatorChar);
        if (looksLikePath)
            return File.Exists(nameOrPath) ? System.IO.Path.GetFullPath(nameOrPath)
                : throw new ConfigException(nameOrPath, null, "recipe file not found.");
        var shipped = System.IO.Path.Combine(Folder, nameOrPath + ".yaml");
        if (File.Exists(shipped)) return shipped;
        var hint = SnakeCase.Closest(nameOrPath, Names) is { } close ? $" Did you mean '{close}'?" : "";
        throw new ConfigException(nameOrPath, null,
            $"no such recipe in {Folder}.{hint} Recipes: {string.Join(", ", Names)}; or give the path of a YAML file.");
    }

    private static YamlMappingNode Root(string yaml, string path)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigException(path, (int)e.Start.Line, $"not valid YAML: {ConfigOverrides.Problem(e)}.", e);
        }
        if (stream.Documents.Count == 0) return new YamlMappingNode();
        return stream.Documents[0].RootNode as YamlMappingNode
            ?? throw new ConfigException(path, ConfigValues.Line(stream.Documents[0].RootNode), "a recipe must be a mapping of key: value lines.");
    }

    private static void ReadProfiles(YamlNode node, string path, Dictionary<string, YamlMappingNode> profiles)
    {
        if (node is not YamlMappingNode map)
            throw new ConfigException(path, ConfigValues.Line(node), "'profiles' must map profile names to their fields, e.g. profiles: {smoke: {epochs: 4}}.");
        foreach (var (keyNode, value) in map.Children)
        {
            var name = ConfigOverrides.KeyText(keyNode, path);
            profiles[name] = value switch
            {
                YamlMappingNode fields => fields,
                YamlScalarNode { Value: null or "" } => new YamlMappingNode(),
                _ => throw new ConfigException(path, ConfigValues.Line(value), $"profile '{name}' must be a mapping of fields, e.g. {{epochs: 4}}."),
            };
        }
    }
}
