using System.Text.Json;
using System.Text.Json.Serialization;

namespace US3L.Detection;

/// <summary>
/// One width of a detection fine-tuning run: the COCO box and mask summaries on the validation set,
/// the backbone's cost at that width for one input image, and what training took.
/// </summary>
public sealed record DetectWidthResult
{
    public double Width { get; init; }
    /// <summary>Multiply-accumulates of the backbone (no FPN, no heads) for one square input of <see cref="InputSize"/>.</summary>
    public long BackboneMacs { get; init; }
    public long BackboneParams { get; init; }
    public int InputSize { get; init; }
    public required CocoSummary Box { get; init; }
    public required CocoSummary Mask { get; init; }
    public int EvalImages { get; init; }
    public long Iterations { get; init; }
    /// <summary>Mean total loss over the last logged iterations of training.</summary>
    public double FinalLoss { get; init; }
    public double TrainSeconds { get; init; }
    public double EvalSeconds { get; init; }
    /// <summary>Lines of metrics.jsonl when this width finished (a resumed run cuts the log back to it).</summary>
    public long MetricsLines { get; init; }
}

/// <summary>
/// results.json of a detection fine-tuning run: what was fine-tuned (arch, init, checkpoint, data) and
/// one <see cref="DetectWidthResult"/> per finished width. Written atomically after every width.
/// </summary>
public sealed record DetectResults
{
    public string Kind { get; init; } = "detect";
    public required string Arch { get; init; }
    /// <summary>"pretrained" (from <see cref="Checkpoint"/>) or "random".</summary>
    public required string Init { get; init; }
    public string? Checkpoint { get; init; }
    public required string Data { get; init; }
    public required string BackboneNorm { get; init; }
    public required double[] Widths { get; init; }
    public List<DetectWidthResult> Results { get; init; } = new();
    /// <summary>True when every width of <see cref="Widths"/> has a result.</summary>
    public bool Complete => Widths.All(w => Results.Any(r => Math.Abs(r.Width - w) < 1e-9));

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static DetectResults Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<DetectResults>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a detection results file: {e.Message}", e);
        }
    }

    /// <summary>Writes to a temporary file and renames it over <paramref name="path"/>.</summary>
    public void Write(string path)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, ToJson());
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The result of <paramref name="width"/>, or null if it has not finished.</summary>
    public DetectWidthResult? At(double width) => Results.FirstOrDefault(r => Math.Abs(r.Width - width) < 1e-9);
}

/// <summary>Reported during fine-tuning: the width in progress, where training is, and the last loss.</summary>
public sealed record DetectProgress(double Width, int WidthIndex, int WidthCount, string Phase, int Epoch, int Epochs, int Batch, int BatchesPerEpoch,
    long Iteration, double Loss, double ImagesPerSecond);
