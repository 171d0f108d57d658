using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace US3L.Evaluation;

/// <summary>
/// Writes <see cref="EvalResult"/> rows as JSON lines (one object per line, snake_case keys, nulls
/// left out) or as CSV (one column per field, in declaration order, empty cells for nulls). Both
/// use invariant number formatting, so files read the same on every machine.
/// </summary>
public static class ResultsFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
    };

    /// <summary>One JSON object for <paramref name="result"/>, without the null fields.</summary>
    public static string ToJson(EvalResult result)
    {
        var node = Node(result);
        foreach (var key in node.Where(p => p.Value is null).Select(p => p.Key).ToList()) node.Remove(key);
        return node.ToJsonString();
    }

    /// <summary>Appends (or, with <paramref name="append"/> false, writes) one line per result.</summary>
    public static void WriteJsonLines(string path, IEnumerable<EvalResult> results, bool append = true)
    {
        ArgumentNullException.ThrowIfNull(results);
        var lines = results.Select(ToJson).ToList();
        CreateFolder(path);
        if (append) File.AppendAllLines(path, lines);
        else File.WriteAllLines(path, lines);
    }

    /// <summary>The CSV text of <paramref name="results"/>: a header row, then one row per result.</summary>
    public static string ToCsv(IEnumerable<EvalResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var sb = new StringBuilder();
        var rows = results.Select(Node).ToList();
        var columns = Node(new EvalResult
        {
            Method = "", Dataset = "", Top1 = 0, BnCalibrated = false, Seed = 0, FeatureDim = 0, TrainCount = 0, TestCount = 0,
        }).Select(p => p.Key).ToList();
        sb.AppendJoin(',', columns).Append('\n');
        foreach (var row in rows)
            sb.AppendJoin(',', columns.Select(c => Cell(row[c]))).Append('\n');
        return sb.ToString();
    }

    public static void WriteCsv(string path, IEnumerable<EvalResult> results)
    {
        var text = ToCsv(results);
        CreateFolder(path);
        File.WriteAllText(path, text);
    }

    private static JsonObject Node(EvalResult r) => JsonSerializer.SerializeToNode(r, Json)!.AsObject();

    /// <summary>RFC 4180 cell: numbers and booleans as JSON writes them, text quoted when it needs to be.</summary>
    private static string Cell(JsonNode? value)
    {
        if (value is null) return "";
        if (value.GetValueKind() != JsonValueKind.String) return value.ToJsonString();
        var text = value.GetValue<string>();
        return text.IndexOfAny(new[] { ',', '"', '\n', '\r' }) < 0 ? text : "\"" + text.Replace("\"", "\"\"") + "\"";
    }

    private static void CreateFolder(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
    }
}
