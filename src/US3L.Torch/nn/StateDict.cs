using System.Text;

namespace US3L.Torch.nn;

/// <summary>What <see cref="Module.load_state_dict"/> left out: keys the module wanted but did not get, and keys it did not know.</summary>
public sealed record LoadResult(IReadOnlyList<string> missing_keys, IReadOnlyList<string> unexpected_keys);

public abstract partial class Module
{
    /// <summary>
    /// Parameters and persistent buffers by dotted name, in registration order. The values are
    /// new handles (detached, owned by the current dispose scope) that share storage with the
    /// module, as PyTorch's state_dict: reading them is free, writing them writes the module.
    /// </summary>
    public OrderedDictionary<string, Tensor> state_dict()
    {
        var result = new OrderedDictionary<string, Tensor>();
        foreach (var (prefix, m) in named_modules())
        {
            foreach (var (name, p) in m.ownParameters)
                if (p is not null) result.TryAdd(Join(prefix, name), p.detach());
            foreach (var (name, b, persistent) in m.ownBuffers)
                if (b is not null && persistent) result.TryAdd(Join(prefix, name), b.detach());
        }
        return result;
    }

    /// <summary>The live tensors behind state_dict, by name.</summary>
    private OrderedDictionary<string, Tensor> StateTensors()
    {
        var result = new OrderedDictionary<string, Tensor>();
        foreach (var (prefix, m) in named_modules())
        {
            foreach (var (name, p) in m.ownParameters)
                if (p is not null) result.TryAdd(Join(prefix, name), p);
            foreach (var (name, b, persistent) in m.ownBuffers)
                if (b is not null && persistent) result.TryAdd(Join(prefix, name), b);
        }
        return result;
    }

    /// <summary>
    /// Copies <paramref name="state"/> into the parameters and persistent buffers (converting
    /// dtype and device to the module's). Everything is checked before anything is copied, so a
    /// failed load leaves the module untouched. Shape mismatches always fail; with
    /// <paramref name="strict"/> missing and unexpected keys fail too, otherwise they are returned.
    /// </summary>
    public LoadResult load_state_dict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        ObjectDisposedException.ThrowIf(disposed, this);
        var own = StateTensors();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var mismatched = new List<string>();
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out var source)) continue;
            if (source is null || source.IsDisposed) { mismatched.Add($"{name}: the given tensor is null or disposed"); continue; }
            var (want, got) = (target.shape, source.shape);
            if (!want.SequenceEqual(got))
                mismatched.Add($"{name}: checkpoint shape {Tensor.ShapeString(got)}, model shape {Tensor.ShapeString(want)}");
            else if (source.dtype == ScalarType.Bool != (target.dtype == ScalarType.Bool))
                mismatched.Add($"{name}: checkpoint dtype {source.dtype.Name()}, model dtype {target.dtype.Name()}");
        }

        if (mismatched.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
        {
            var sb = new StringBuilder($"Error(s) in loading state_dict for {TypeName}:");
            if (strict && missing.Count > 0) sb.Append("\n  Missing key(s): ").Append(string.Join(", ", missing.Select(k => $"\"{k}\"")));
            if (strict && unexpected.Count > 0) sb.Append("\n  Unexpected key(s): ").Append(string.Join(", ", unexpected.Select(k => $"\"{k}\"")));
            if (mismatched.Count > 0) sb.Append("\n  Size mismatch: ").Append(string.Join("; ", mismatched));
            sb.Append("\nNothing was loaded.");
            throw new ArgumentException(sb.ToString());
        }

        using (torch.no_grad())
            foreach (var (name, target) in own)
                if (state.TryGetValue(name, out var source)) target.copy_(source);
        return new LoadResult(missing, unexpected);
    }
}
