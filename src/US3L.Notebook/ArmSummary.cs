using System.Text.Json;
using System.Text.Json.Nodes;

namespace US3L.Notebook;

/// <summary>
/// What one arm of a grid measured: per-width top-1 under one protocol, the arm's axis values and its
/// training time. Saved as <c>summary.json</c> in the arm's run folder, in the shape of the demo's
/// (dataset, profile, seed, protocol, results [{model, width, knn_top1, linear_top1?, macs}]) plus
/// <c>label</c>, <c>axes</c> and <c>train_seconds</c>.
/// </summary>
public sealed record ArmSummary(string Label, IReadOnlyList<KeyValuePair<string, string>> Axes, string Dataset, string Profile, long Seed,
    string Protocol, IReadOnlyList<WidthAccuracy> Results, double TrainSeconds)
{
    public const string FileName = "summary.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The axis value of <paramref name="key"/> (an error naming the axes if it is not one).</summary>
    public string Axis(string key) => Axes.FirstOrDefault(a => a.Key == key).Value
        ?? throw new KeyNotFoundException($"{Label} has no axis '{key}'; its axes are {string.Join(", ", Axes.Select(a => a.Key))}.");

    /// <summary>kNN top-1 at <paramref name="width"/>.</summary>
    public double Knn(double width) => Results.FirstOrDefault(r => RunMetrics.Same(r.Width, width))?.KnnTop1
        ?? throw new KeyNotFoundException($"{Label} was evaluated at widths {string.Join(", ", Results.Select(r => r.Width))}, not at {width}.");

    /// <summary>The mean kNN top-1 over the evaluated widths.</summary>
    public double MeanKnn => Results.Average(r => r.KnnTop1);

    public string ToJson()
    {
        var results = new JsonArray();
        foreach (var r in Results)
        {
            var row = new JsonObject { ["model"] = Label, ["width"] = r.Width, ["knn_top1"] = r.KnnTop1 };
            if (r.LinearTop1 is double linear) row["linear_top1"] = linear;
            row["macs"] = r.Macs;
            results.Add(row);
        }
        var axes = new JsonObject();
        foreach (var (key, value) in Axes) axes[key] = value;
        var root = new JsonObject
        {
            ["dataset"] = Dataset, ["profile"] = Profile, ["seed"] = Seed, ["protocol"] = Protocol, ["results"] = results,
            ["label"] = Label, ["axes"] = axes, ["train_seconds"] = TrainSeconds,
        };
        return root.ToJsonString(Indented);
    }

    /// <summary>Writes <c>summary.json</c> into <paramref name="runDir"/> (atomically: a reader never sees half a file).</summary>
    public void Write(string runDir)
    {
        var path = Path.Combine(runDir, FileName);
        File.WriteAllText(path + ".tmp", ToJson());
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>Reads a <c>summary.json</c>; a file that is not one is an error naming it.</summary>
    public static ArmSummary Read(string path)
    {
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException("empty");
            var axes = Need(root, "axes").AsObject()
                .Select(p => new KeyValuePair<string, string>(p.Key, p.Value?.GetValue<string>() ?? "")).ToArray();
            var results = Need(root, "results").AsArray().Select(n => new WidthAccuracy(
                Need(n, "width").GetValue<double>(), Need(n, "macs").GetValue<long>(), Need(n, "knn_top1").GetValue<double>(),
                n?["linear_top1"]?.GetValue<double>())).ToArray();
            return new ArmSummary(Need(root, "label").GetValue<string>(), axes, Need(root, "dataset").GetValue<string>(),
                Need(root, "profile").GetValue<string>(), Need(root, "seed").GetValue<long>(), Need(root, "protocol").GetValue<string>(),
                results, Need(root, "train_seconds").GetValue<double>());
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or InvalidDataException or FormatException)
        {
            throw new InvalidDataException($"{path} is not an arm summary ({e.Message}).", e);
        }
    }

    private static JsonNode Need(JsonNode? parent, string name) =>
        parent?[name] ?? throw new InvalidDataException($"no '{name}'");
}
