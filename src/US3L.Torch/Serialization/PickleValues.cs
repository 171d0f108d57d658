using System.Numerics;

namespace US3L.Torch.Serialization;

/// <summary>
/// A Python tuple read from a pickle. Python values map to: None → null, bool, int → long (or
/// <see cref="BigInteger"/> beyond 64 bits), float → double, str → string, bytes → byte[],
/// list and set → <see cref="List{T}"/>, dict and OrderedDict → <see cref="PickleDict"/>,
/// tuple → <see cref="PickleTuple"/>, a tensor → <see cref="StoredTensor"/>.
/// </summary>
public sealed class PickleTuple : IReadOnlyList<object?>, IEquatable<PickleTuple>
{
    private readonly object?[] items;

    public PickleTuple(params object?[] items) => this.items = items;

    public static readonly PickleTuple Empty = new();

    public object? this[int index] => items[index];

    public int Count => items.Length;

    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)items).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => items.GetEnumerator();

    /// <summary>Tuples are dictionary keys in Python, so they compare by value.</summary>
    public bool Equals(PickleTuple? other) => other is not null && items.SequenceEqual(other.items);

    public override bool Equals(object? obj) => obj is PickleTuple t && Equals(t);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var item in items) h.Add(item);
        return h.ToHashCode();
    }

    public override string ToString() => "(" + string.Join(", ", items.Select(PickleText.Of)) + (items.Length == 1 ? ",)" : ")");
}

/// <summary>
/// A Python dict or OrderedDict: entries in insertion order, keys compared by value (a key set
/// twice keeps its first position and its last value, as in Python). <see cref="Attributes"/>
/// holds the state BUILD gave the object (PyTorch's state dicts carry <c>_metadata</c> there).
/// </summary>
public sealed class PickleDict
{
    private static readonly object NoneKey = new();
    private readonly List<KeyValuePair<object?, object?>> entries = new();
    private readonly Dictionary<object, int> index = new();

    public bool Ordered { get; }

    public PickleDict(bool ordered = false) => Ordered = ordered;

    public IReadOnlyList<KeyValuePair<object?, object?>> Entries => entries;

    public int Count => entries.Count;

    public PickleDict? Attributes { get; internal set; }

    public void Set(object? key, object? value)
    {
        var k = key ?? NoneKey;
        if (index.TryGetValue(k, out var i)) entries[i] = new(key, value);
        else
        {
            index[k] = entries.Count;
            entries.Add(new(key, value));
        }
    }

    public bool TryGetValue(object? key, out object? value)
    {
        if (index.TryGetValue(key ?? NoneKey, out var i))
        {
            value = entries[i].Value;
            return true;
        }
        value = null;
        return false;
    }

    public bool ContainsKey(object? key) => index.ContainsKey(key ?? NoneKey);

    /// <summary>The string keys, in order (other keys are skipped).</summary>
    public IEnumerable<string> StringKeys => entries.Select(e => e.Key).OfType<string>();

    public override string ToString() => (Ordered ? "OrderedDict" : "dict") + $"({entries.Count} entries)";
}

/// <summary>Short descriptions of pickled values, for error messages.</summary>
public static class PickleText
{
    public static string Of(object? value) => value switch
    {
        null => "None",
        string s => $"'{s}'",
        bool b => b ? "True" : "False",
        StoredTensor t => t.ToString(),
        List<object?> l => $"list({l.Count} items)",
        byte[] b => $"bytes({b.Length})",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? value.GetType().Name,
    };

    /// <summary>The Python type name of a value: what a caller expected versus what the file held.</summary>
    public static string TypeOf(object? value) => value switch
    {
        null => "None",
        string => "str",
        bool => "bool",
        long or BigInteger => "int",
        double => "float",
        byte[] => "bytes",
        PickleTuple => "tuple",
        List<object?> => "list",
        PickleDict d => d.Ordered ? "OrderedDict" : "dict",
        StoredTensor => "tensor",
        _ => value.GetType().Name,
    };
}
