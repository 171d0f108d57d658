using System.Globalization;
using System.Text.Json;
using US3L.Data;
using US3L.Training;

namespace US3L.Cli.Studies;

/// <summary>What a run ended with at one width: kNN top-1 and the backbone's collapse meters (science.md 2.2).</summary>
/// <param name="Width">The width.</param>
/// <param name="Knn">kNN top-1 of the last kNN measurement, or null when none was made.</param>
/// <param name="BackboneLevel">Collapse level of the pooled backbone features, mean of the last 3 monitored iterations.</param>
/// <param name="BackboneRank">Effective rank of the same features, same iterations.</param>
internal sealed record WidthOutcome(double Width, double? Knn, double? BackboneLevel, double? BackboneRank);

/// <summary>How a run collapsed (science.md 8.3).</summary>
internal enum CollapseKind
{
    /// <summary>Neither rule below fired.</summary>
    None,

    /// <summary>The backbone collapse level exceeds 0.8 at some width, the alarm of science.md 2.2,
    /// while kNN stays above chance: the features span few directions.</summary>
    Dimensional,

    /// <summary>kNN top-1 within 5 points of chance at some width: the features carry nothing.</summary>
    Complete,
}

/// <summary>
/// The outcome of one study run, read from its metrics.jsonl, with its collapse verdict
/// (<see cref="CollapseKind"/>, science.md 8.3).
/// </summary>
internal sealed record RunOutcome(string Name, bool Finished, long Iterations, double? FirstLossMax, double? LastLossMax, double? LastLossMin,
    IReadOnlyList<WidthOutcome> Widths, double Chance, double Seconds)
{
    /// <summary>kNN within this many points of chance counts as a complete collapse.</summary>
    public const double ChanceMargin = 0.05;

    /// <summary>A backbone collapse level above this counts as a dimensional collapse (science.md 2.2's alarm).</summary>
    public const double LevelAlarm = 0.8;

    public CollapseKind Collapse =>
        Widths.Any(w => w.Knn <= Chance + ChanceMargin) ? CollapseKind.Complete
        : Widths.Any(w => w.BackboneLevel > LevelAlarm) ? CollapseKind.Dimensional
        : CollapseKind.None;

    /// <summary>Reads the run in <paramref name="dir"/>; a missing or empty log gives an outcome with no iterations.</summary>
    public static RunOutcome Read(string name, string dir, PretrainConfig config)
    {
        var path = Path.Combine(dir, "metrics.jsonl");
        var iterations = new List<JsonElement>();
        JsonElement? lastKnn = null;
        var finished = false;
        var seconds = 0.0;
        if (File.Exists(path))
            foreach (var (line, number) in File.ReadLines(path).Select((l, i) => (l, i + 1)))
            {
                if (line.Length == 0) continue;
                JsonElement e;
                try
                {
                    e = JsonDocument.Parse(line).RootElement;
                }
                catch (JsonException)
                {
                    throw new InvalidDataException($"{path} line {number} is not JSON; the run's log is damaged.");
                }
                switch (e.GetProperty("kind").GetString())
                {
                    case "iteration": iterations.Add(e); break;
                    case "epoch" when e.GetProperty("knn").ValueKind == JsonValueKind.Array: lastKnn = e.GetProperty("knn"); break;
                    case "end":
                        finished = !e.GetProperty("interrupted").GetBoolean() && e.GetProperty("epoch").GetInt32() >= config.Epochs;
                        seconds += e.GetProperty("seconds").GetDouble();
                        break;
                }
            }

        var monitored = iterations.Where(i => i.GetProperty("collapse_backbone").ValueKind == JsonValueKind.Array).TakeLast(3).ToList();
        var widths = config.EvalWidths.Select(w =>
        {
            double? knn = lastKnn?.EnumerateArray().Where(k => Same(k.GetProperty("width").GetDouble(), w))
                .Select(k => (double?)k.GetProperty("top1").GetDouble()).FirstOrDefault();
            var meters = monitored
                .SelectMany(i => i.GetProperty("collapse_backbone").EnumerateArray())
                .Where(m => m.ValueKind == JsonValueKind.Object && Same(m.GetProperty("width").GetDouble(), w))
                .ToList();
            return new WidthOutcome(w, knn,
                meters.Count == 0 ? null : meters.Average(m => m.GetProperty("level").GetDouble()),
                meters.Count == 0 ? null : meters.Average(m => m.GetProperty("effective_rank").GetDouble()));
        }).ToArray();

        double? Loss(JsonElement? line, Index at) => line?.GetProperty("loss").EnumerateArray().Select(v => v.GetDouble()).ToArray()[at];
        var last = iterations.Count == 0 ? (JsonElement?)null : iterations[^1];
        var first = iterations.Count == 0 ? (JsonElement?)null : iterations[0];
        return new RunOutcome(name, finished, iterations.Count == 0 ? 0 : last!.Value.GetProperty("iteration").GetInt64() + 1,
            Loss(first, 0), Loss(last, 0), Loss(last, ^1), widths, 1.0 / Classes(config), seconds);
    }

    /// <summary>The number of classes of a pretraining dataset, for the chance level of kNN.</summary>
    public static int Classes(PretrainConfig config) => config.Dataset switch
    {
        "fashion-mnist" or "cifar10" => 10,
        "cifar100" => 100,
        "synthetic" => SyntheticShapes.ClassNames.Count,
        _ => throw new ArgumentException($"the collapse rule needs the class count of dataset '{config.Dataset}'."),
    };

    /// <summary>The header of <see cref="Row"/>'s table.</summary>
    public const string Header = "| run | iterations | last loss max / min width | per width: kNN / backbone level / effective rank | collapse |\n|---|---|---|---|---|";

    /// <summary>One line of the outcome table.</summary>
    public string Row()
    {
        string F(double? v, string format) => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "-";
        var perWidth = string.Join("; ", Widths.Select(w => $"{F(w.Width, "0.##")}x {F(w.Knn, "F3")} / {F(w.BackboneLevel, "F2")} / {F(w.BackboneRank, "F1")}"));
        return $"| {Name} | {Iterations}{(Finished ? "" : " (unfinished)")} | {F(LastLossMax, "F3")} / {F(LastLossMin, "F3")} | {perWidth} | {Collapse switch { CollapseKind.Complete => "**complete**", CollapseKind.Dimensional => "dimensional", _ => "no" }} |";
    }

    private static bool Same(double a, double b) => Math.Abs(a - b) < 1e-9;
}
