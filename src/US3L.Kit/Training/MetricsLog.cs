using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace US3L.Training;

/// <summary>
/// metrics.jsonl: one JSON object per line, flushed as it is written, so a notebook can plot a
/// run while it trains. Lines have a "kind": "iteration", "epoch" or "end". The log counts its lines;
/// a checkpoint stores the count and a resumed run cuts the file back to it, so lines written after
/// the last checkpoint by a run that died are not duplicated.
/// </summary>
internal sealed class MetricsLog : IDisposable
{
    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly StreamWriter writer;

    private MetricsLog(string path, long lines)
    {
        Path = path;
        Lines = lines;
        writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
    }

    public string Path { get; }
    public long Lines { get; private set; }

    /// <summary>A new, empty log.</summary>
    public static MetricsLog Create(string path)
    {
        File.WriteAllText(path, "");
        return new MetricsLog(path, 0);
    }

    /// <summary>Reopens a log, keeping only its first <paramref name="lines"/> lines.</summary>
    public static MetricsLog Reopen(string path, long lines)
    {
        var kept = File.Exists(path) ? File.ReadLines(path).Take((int)lines).ToList() : new List<string>();
        if (kept.Count != lines)
            throw new InvalidDataException(
                $"{path} holds {kept.Count} of the {lines} lines its checkpoint counts; the run folder is inconsistent (was metrics.jsonl edited or replaced?).");
        File.WriteAllLines(path, kept);
        return new MetricsLog(path, lines);
    }

    public void Write(IReadOnlyDictionary<string, object?> record)
    {
        writer.WriteLine(JsonSerializer.Serialize(record, Json));
        writer.Flush();
        Lines++;
    }

    public void Dispose() => writer.Dispose();
}
