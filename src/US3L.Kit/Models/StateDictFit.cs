using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Models;

/// <summary>
/// Whether a state dict fits a module, told in one short line: how many keys are missing, unknown or
/// of another shape, with the first few of each (a checkpoint of another architecture differs in
/// hundreds of tensors, which would make <c>load_state_dict</c>'s full list a page long).
/// </summary>
public static class StateDictFit
{
    private const int Shown = 2;

    /// <summary>The differences between <paramref name="module"/>'s state and <paramref name="state"/>, or null when it fits.</summary>
    /// <param name="module">The module to load into.</param>
    /// <param name="state">The tensors to load.</param>
    /// <param name="missingAllowed">Which of the module's keys may be absent (e.g. BN running statistics).</param>
    public static string? Problems(Module module, IReadOnlyDictionary<string, Tensor> state, Func<string, bool>? missingAllowed = null)
    {
        var own = module.state_dict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k) && !(missingAllowed?.Invoke(k) ?? false)).ToList();
        var unknown = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var shapes = own.Where(e => state.TryGetValue(e.Key, out var t) && !t.shape.SequenceEqual(e.Value.shape))
            .Select(e => $"{e.Key}: {Shape(state[e.Key].shape)} given, {Shape(e.Value.shape)} expected").ToList();
        var parts = new[] { List("missing key", "missing keys", missing), List("unknown key", "unknown keys", unknown),
                List("tensor of another shape", "tensors of another shape", shapes) }
            .Where(p => p is not null).ToArray();
        return parts.Length == 0 ? null : string.Join("; ", parts);
    }

    private static string? List(string one, string many, IReadOnlyList<string> items) => items.Count == 0 ? null
        : $"{items.Count} {(items.Count == 1 ? one : many)} ({string.Join(", ", items.Take(Shown))}{(items.Count > Shown ? ", ..." : "")})";

    private static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";
}
