using US3L.Torch;

namespace US3L.Augmentation;

/// <summary>
/// Runs an expensive shape-preserving op (blur, hue rotation) only on the samples that need it
/// and merges the result back, instead of computing it for the whole batch and discarding most.
/// </summary>
internal static class BatchSubset
{
    /// <summary>
    /// Returns x with the samples at <paramref name="selected"/> positions replaced by
    /// <paramref name="op"/>(x[selected], selected). The op must keep [C, H, W].
    /// </summary>
    public static Tensor Apply(Tensor x, int[] selected, Func<Tensor, int[], Tensor> op)
    {
        var batch = (int)x.size(0);
        if (selected.Length == 0) return x;
        if (selected.Length == batch && selected.Select((s, i) => s == i).All(b => b)) return op(x, selected);
        var sub = x.index_select(0, SampleRandom.Index(selected.Select(i => (long)i).ToList(), x));
        var done = op(sub, selected);
        // One gather over [x; done]: sample b reads row b of x, or row B + k of done when it is the k-th selected.
        var source = Enumerable.Range(0, batch).Select(i => (long)i).ToArray();
        for (var k = 0; k < selected.Length; k++) source[selected[k]] = batch + k;
        return torch.cat(new[] { x, done }).index_select(0, SampleRandom.Index(source, x));
    }

    /// <summary>Runs <paramref name="step"/> in its own dispose scope and keeps only its result.</summary>
    public static Tensor Scoped(Tensor input, Func<Tensor> step)
    {
        using var scope = torch.NewDisposeScope();
        var result = step();
        if (!ReferenceEquals(result, input)) scope.MoveToOuter(result);
        return result;
    }
}
