using System.Text;
using System.Text.Json;

namespace US3L.Torch.Serialization;

/// <summary>Parsing and validation of the safetensors JSON header.</summary>
public static partial class Safetensors
{
    private sealed record Entry(string Name, ScalarType Dtype, long[] Shape, long Begin, long End);

    private static List<Entry> ParseHeader(byte[] header, Func<string, InvalidDataException> bad, out Dictionary<string, string> metadata)
    {
        metadata = new Dictionary<string, string>();
        JsonDocument doc;
        try
        {
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(header);
            doc = JsonDocument.Parse(text);
        }
        catch (Exception ex) when (ex is JsonException or DecoderFallbackException)
        {
            throw bad($"the header is not valid UTF-8 JSON ({ex.Message})");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw bad("the header is not a JSON object");
            var entries = new List<Entry>();
            var names = new HashSet<string>();
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!names.Add(prop.Name)) throw bad($"the header names '{prop.Name}' twice");
                if (prop.Name == MetadataKey)
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw bad($"'{MetadataKey}' must be an object of strings");
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw bad($"metadata value '{m.Name}' is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                entries.Add(ParseEntry(prop, bad));
            }
            return entries;
        }
    }

    private static Entry ParseEntry(JsonProperty prop, Func<string, InvalidDataException> bad)
    {
        var name = prop.Name;
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object) throw bad($"entry '{name}' is not an object");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String) throw bad($"tensor '{name}' has no dtype string");
        var code = dt.GetString()!;
        var match = Codes.FirstOrDefault(c => c.Code == code);
        if (match.Code is null)
            throw bad($"tensor '{name}' has unsupported dtype '{code}' (supported: {string.Join(", ", Codes.Select(c => c.Code))})");
        var shape = ReadInts(v, "shape", name, bad);
        if (shape.Any(s => s < 0)) throw bad($"tensor '{name}' has a negative size in shape {Tensor.ShapeString(shape)}");
        var offsets = ReadInts(v, "data_offsets", name, bad);
        if (offsets.Length != 2) throw bad($"tensor '{name}' needs data_offsets [begin, end], got {offsets.Length} numbers");
        if (offsets[0] < 0 || offsets[1] < offsets[0]) throw bad($"tensor '{name}' has invalid data_offsets [{offsets[0]}, {offsets[1]}]");
        long count;
        try { count = shape.Aggregate(1L, (a, b) => checked(a * b)) * SizeOf(match.Type); }
        catch (OverflowException) { throw bad($"tensor '{name}' has a shape too large to address: {Tensor.ShapeString(shape)}"); }
        if (offsets[1] - offsets[0] != count)
            throw bad($"tensor '{name}' ({code}, shape {Tensor.ShapeString(shape)}) needs {count} bytes but data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]}");
        return new Entry(name, match.Type, shape, offsets[0], offsets[1]);
    }

    private static long[] ReadInts(JsonElement v, string field, string name, Func<string, InvalidDataException> bad)
    {
        if (!v.TryGetProperty(field, out var arr) || arr.ValueKind != JsonValueKind.Array) throw bad($"tensor '{name}' has no '{field}' array");
        var result = new List<long>();
        foreach (var x in arr.EnumerateArray())
        {
            if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt64(out var n)) throw bad($"tensor '{name}' has a non-integer in '{field}'");
            result.Add(n);
        }
        return result.ToArray();
    }

    /// <summary>The tensors must tile the data section exactly: sorted by offset, no gap, no overlap, nothing after.</summary>
    private static void Validate(List<Entry> entries, long dataLength, Func<string, InvalidDataException> bad)
    {
        var end = 0L;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin < end) throw bad($"tensor '{e.Name}' data [{e.Begin}, {e.End}] overlaps another tensor's");
            if (e.Begin > end) throw bad($"a gap of {e.Begin - end} bytes precedes tensor '{e.Name}' in the data section");
            if (e.End > dataLength)
                throw bad($"tensor '{e.Name}' data [{e.Begin}, {e.End}] runs past the end of the data section ({dataLength} bytes; truncated?)");
            end = e.End;
        }
        if (end != dataLength) throw bad($"the data section has {dataLength} bytes but the tensors use {end}");
    }
}
