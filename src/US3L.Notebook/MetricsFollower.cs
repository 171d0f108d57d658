using System.Text;
using System.Text.Json;

namespace US3L.Notebook;

/// <summary>
/// Follows a growing <c>metrics.jsonl</c> written by another process: each <see cref="Poll"/> reads
/// the complete lines added since the last one and keeps the latest iteration and epoch. A file that
/// shrank (a resumed run cuts the log back to its checkpoint) is read again from the start.
/// </summary>
internal sealed class MetricsFollower(string path)
{
    private long position;
    private readonly StringBuilder partial = new();

    /// <summary>The latest iteration record: (epoch, iteration + 1 = iterations done, loss of the largest width, images/s).</summary>
    public (int Epoch, long Done, double Loss, double ImagesPerSecond)? LastIteration { get; private set; }
    /// <summary>Epochs finished so far and the iteration count at the end of the last one.</summary>
    public (int Epochs, long Iterations)? LastEpoch { get; private set; }

    public void Poll()
    {
        if (!File.Exists(path)) return;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length < position)
        {
            position = 0;
            partial.Clear();
            LastIteration = null;
            LastEpoch = null;
        }
        stream.Seek(position, SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false);
        var text = reader.ReadToEnd();
        position = stream.Position;
        partial.Append(text);
        var all = partial.ToString();
        var end = all.LastIndexOf('\n');
        if (end < 0) return;
        foreach (var line in all[..end].Split('\n')) Read(line);
        partial.Clear().Append(all[(end + 1)..]);
    }

    private void Read(string line)
    {
        if (line.Length == 0) return;
        try
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            switch (r.GetProperty("kind").GetString())
            {
                case "iteration":
                    var losses = r.GetProperty("loss");
                    LastIteration = (r.GetProperty("epoch").GetInt32(), r.GetProperty("iteration").GetInt64() + 1,
                        losses.GetArrayLength() > 0 && losses[0].ValueKind == JsonValueKind.Number ? losses[0].GetDouble() : double.NaN,
                        r.GetProperty("images_per_second").GetDouble());
                    break;
                case "epoch":
                    LastEpoch = (r.GetProperty("epoch").GetInt32() + 1, r.GetProperty("iteration").GetInt64());
                    break;
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // A progress display only: a line it cannot read (e.g. a NaN loss written as a string) is skipped, not fatal.
        }
    }
}
