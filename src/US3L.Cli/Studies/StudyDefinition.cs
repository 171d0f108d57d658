using US3L.Config;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace US3L.Cli.Studies;

/// <summary>One arm of a study: a recipe, its profile, the seeds it runs and its <c>--set</c> overrides.</summary>
internal sealed record StudyArm(string Name, string Recipe, string Profile, IReadOnlyList<long> Seeds, IReadOnlyList<string> Set);

/// <summary>One pretraining run of a study: an arm at one seed, with every override in the order it applies.</summary>
internal sealed record StudyRun(StudyArm Arm, long Seed, IReadOnlyList<string> Overrides)
{
    /// <summary>The run's folder name: the arm and the seed.</summary>
    public string Name => $"{Arm.Name}-s{Seed}";
}

/// <summary>
/// A study: a YAML file (shipped in Studies/ next to us3l.dll, or any path) that lists arms, each a
/// recipe with overrides run at several seeds, plus <c>common</c> overrides applied to every arm
/// first. A study is data: the arms are rows, as the ablations of science.md 3.3 are.
/// </summary>
internal sealed record StudyDefinition(string Name, string Description, IReadOnlyList<string> Common, IReadOnlyList<StudyArm> Arms)
{
    /// <summary>The shipped studies' folder.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Studies");

    /// <summary>Every run of the study, arm by arm, seed by seed; each run's overrides end with its seed.</summary>
    public IReadOnlyList<StudyRun> Runs() => Arms
        .SelectMany(a => a.Seeds.Select(s => new StudyRun(a, s, Common.Concat(a.Set).Append($"seed={s}").ToArray())))
        .ToArray();

    /// <summary>A shipped study by name, or a YAML file by path; every override is checked against its recipe before anything runs.</summary>
    public static StudyDefinition Load(string nameOrPath, IReadOnlyList<string>? extra = null)
    {
        var path = File.Exists(nameOrPath) ? nameOrPath : Path.Combine(Folder, nameOrPath + ".yaml");
        if (!File.Exists(path))
        {
            var shipped = Directory.Exists(Folder) ? Directory.GetFiles(Folder, "*.yaml").Select(Path.GetFileNameWithoutExtension) : Array.Empty<string>();
            throw new ArgumentException($"no study '{nameOrPath}'; shipped studies: {string.Join(", ", shipped)}; or give the path of a YAML file.");
        }
        var study = Parse(File.ReadAllText(path), path);
        if (extra is { Count: > 0 }) study = study with { Arms = study.Arms.Select(a => a with { Set = a.Set.Concat(extra).ToArray() }).ToArray() };
        foreach (var run in study.Runs())
            RecipeLoader.Resolve(run.Arm.Recipe, run.Arm.Profile, run.Overrides); // throws a ConfigException naming the key
        return study;
    }

    public static StudyDefinition Parse(string yaml, string path)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigException(path, (int)e.Start.Line, $"not valid YAML: {e.Message}", e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ConfigException(path, null, "a study is a mapping with 'description', 'common' and 'arms'.");
        var description = "";
        IReadOnlyList<string> common = Array.Empty<string>();
        var arms = new List<StudyArm>();
        foreach (var (key, value) in root.Children)
        {
            var name = ((YamlScalarNode)key).Value;
            switch (name)
            {
                case "description": description = Scalar(value, path, "description"); break;
                case "common": common = Strings(value, path, "common"); break;
                case "arms":
                    if (value is not YamlSequenceNode list) throw new ConfigException(path, Line(value), "'arms' must be a list of arms.");
                    arms.AddRange(list.Children.Select(a => Arm(a, path)));
                    break;
                default: throw new ConfigException(path, Line(key), $"unknown key '{name}'; a study has description, common and arms.");
            }
        }
        if (arms.Count == 0) throw new ConfigException(path, null, "the study lists no arms.");
        var duplicate = arms.GroupBy(a => a.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ConfigException(path, null, $"two arms are called '{duplicate.Key}'.");
        return new StudyDefinition(Path.GetFileNameWithoutExtension(path), description, common, arms);
    }

    private static StudyArm Arm(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map) throw new ConfigException(path, Line(node), "each arm is a mapping with name, recipe, seeds and set.");
        string? name = null, recipe = null, profile = "short";
        IReadOnlyList<long> seeds = new[] { 0L };
        IReadOnlyList<string> set = Array.Empty<string>();
        foreach (var (key, value) in map.Children)
        {
            switch (((YamlScalarNode)key).Value)
            {
                case "name": name = Scalar(value, path, "name"); break;
                case "recipe": recipe = Scalar(value, path, "recipe"); break;
                case "profile": profile = Scalar(value, path, "profile"); break;
                case "seeds":
                    seeds = Strings(value, path, "seeds").Select(s => long.TryParse(s, out var v) ? v
                        : throw new ConfigException(path, Line(value), $"seeds must be integers, got '{s}'.")).ToArray();
                    break;
                case "set": set = Strings(value, path, "set"); break;
                default: throw new ConfigException(path, Line(key), $"unknown arm key '{((YamlScalarNode)key).Value}'; an arm has name, recipe, profile, seeds and set.");
            }
        }
        if (name is null || recipe is null) throw new ConfigException(path, Line(node), "every arm needs a name and a recipe.");
        if (seeds.Count == 0) throw new ConfigException(path, Line(node), $"arm '{name}' lists no seeds.");
        return new StudyArm(name, recipe, profile, seeds, set);
    }

    private static string Scalar(YamlNode node, string path, string what) =>
        node is YamlScalarNode { Value: { } v } ? v : throw new ConfigException(path, Line(node), $"'{what}' must be one value.");

    /// <summary>A flow or block list of scalars; a nested list (a value like [1.0,0.5]) is written back as YAML text.</summary>
    private static IReadOnlyList<string> Strings(YamlNode node, string path, string what) => node switch
    {
        YamlSequenceNode list => list.Children.Select(c => c switch
        {
            YamlScalarNode { Value: { } v } => v,
            _ => throw new ConfigException(path, Line(c), $"'{what}' must list plain values such as key=value."),
        }).ToArray(),
        _ => throw new ConfigException(path, Line(node), $"'{what}' must be a list."),
    };

    private static int? Line(YamlNode node) => (int)node.Start.Line;
}
