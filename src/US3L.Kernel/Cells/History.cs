using System.Text.Json.Nodes;

namespace US3L.Kernel.Cells;

/// <summary>The cells run in this kernel session, for history_request (tail, range, search).</summary>
internal sealed class History
{
    // One kernel process is one history session; the protocol numbers sessions from 1.
    private const int Session = 1;
    private readonly List<(int Line, string Input, string? Output)> _entries = [];

    public void Add(int line, string input, string? output) => _entries.Add((line, input, output));

    public JsonArray Query(JsonObject request)
    {
        bool output = (bool?)request["output"] ?? false;
        IEnumerable<(int Line, string Input, string? Output)> selected = ((string?)request["hist_access_type"]) switch
        {
            "tail" => _entries.TakeLast(Count(request, _entries.Count)),
            "range" => Range(request),
            "search" => Search(request),
            _ => [],
        };
        var result = new JsonArray();
        foreach (var (line, input, text) in selected)
        {
            JsonNode entry = output ? new JsonArray(input, text) : JsonValue.Create(input);
            result.Add(new JsonArray(Session, line, entry));
        }
        return result;
    }

    private IEnumerable<(int, string, string?)> Range(JsonObject request)
    {
        int start = (int?)request["start"] ?? 1, stop = (int?)request["stop"] ?? int.MaxValue;
        return _entries.Where(e => e.Line >= start && e.Line < stop);
    }

    private IEnumerable<(int, string, string?)> Search(JsonObject request)
    {
        // The protocol's pattern is a glob: * and ? wildcards.
        string glob = (string?)request["pattern"] ?? "*";
        var regex = new System.Text.RegularExpressions.Regex(
            "^" + System.Text.RegularExpressions.Regex.Escape(glob).Replace(@"\*", ".*").Replace(@"\?", ".") + "$",
            System.Text.RegularExpressions.RegexOptions.Singleline);
        var matches = _entries.Where(e => regex.IsMatch(e.Input));
        if ((bool?)request["unique"] ?? false)
            matches = matches.Reverse().DistinctBy(e => e.Input).Reverse();
        return matches.TakeLast(Count(request, int.MaxValue)).ToList();
    }

    private static int Count(JsonObject request, int fallback) =>
        request["n"] is JsonValue n && n.TryGetValue(out int value) ? value : fallback;
}
