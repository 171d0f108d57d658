using US3L.Slimmable;
using US3L.Torch;
using US3L.Torch.nn;

namespace US3L.Models;

/// <summary>
/// Records the outputs of named US-BatchNorm layers of a backbone while it runs forward, as the
/// reference's forward hooks do (utils/forward_hook.py L78-86 keeps the very tensor the layer
/// returned). Each record is a second handle to that tensor, so the in-place operations the block
/// applies to it afterwards are part of the record: for a BasicBlock's <c>bn2</c> the residual sum and
/// ReLU, which makes it the block's output; for a Bottleneck's <c>bn1</c>/<c>bn2</c> the ReLU
/// (science.md 3.7). Records are kept only between <see cref="Start"/> and <see cref="Stop"/>.
/// </summary>
public sealed class FeatureTap : IDisposable
{
    private readonly List<(USBatchNorm2d Layer, Action<USBatchNorm2d, Tensor, Tensor> Handler)> hooks = new();
    private readonly List<Tensor>[] records;
    private bool recording;

    /// <summary>Taps <paramref name="layers"/> (module paths, see <see cref="FeatureLayers.Names"/>) of <paramref name="backbone"/>.</summary>
    public FeatureTap(SlimmableNetwork backbone, IReadOnlyList<string> layers)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        if (layers.Count == 0) throw new ArgumentException("A feature tap needs at least one layer.", nameof(layers));
        var modules = backbone.named_modules().ToDictionary(m => m.name, m => m.module, StringComparer.Ordinal);
        Layers = layers.ToArray();
        records = new List<Tensor>[layers.Count];
        for (var i = 0; i < layers.Count; i++)
        {
            if (!modules.TryGetValue(layers[i], out var module) || module is not USBatchNorm2d bn)
                throw new ArgumentException(
                    $"'{layers[i]}' is not a US-BatchNorm of {backbone.Arch}; its feature layers are: {string.Join(", ", FeatureLayers.Names(backbone.Arch))}.");
            var index = i;
            records[i] = new List<Tensor>();
            Action<USBatchNorm2d, Tensor, Tensor> handler = (_, _, output) => Record(index, output);
            bn.Forwarded += handler;
            hooks.Add((bn, handler));
        }
    }

    /// <summary>The tapped layers, in the order records are returned.</summary>
    public IReadOnlyList<string> Layers { get; }

    /// <summary>Drops what was recorded so far and records the forward passes that follow.</summary>
    public void Start()
    {
        Clear();
        recording = true;
    }

    /// <summary>
    /// Stops recording and hands over the records, one array per forward pass (in order) holding one
    /// tensor per layer; the caller owns and disposes them.
    /// </summary>
    public IReadOnlyList<Tensor[]> Stop()
    {
        recording = false;
        var passes = records[0].Count;
        if (records.Any(r => r.Count != passes))
        {
            Clear();
            throw new InvalidOperationException($"The tapped layers ran unequal numbers of times ({string.Join(", ", records.Select(r => r.Count))}).");
        }
        var result = Enumerable.Range(0, passes).Select(p => records.Select(r => r[p]).ToArray()).ToArray();
        foreach (var r in records) r.Clear();
        return result;
    }

    /// <summary>Stops recording and frees anything recorded.</summary>
    public void Discard()
    {
        recording = false;
        Clear();
    }

    private void Record(int layer, Tensor output)
    {
        if (!recording) return;
        // A handle of our own, outside the layer's dispose scope, to the tensor the block keeps using.
        records[layer].Add(DisposeScope.Detach(output.alias()));
    }

    private void Clear()
    {
        foreach (var r in records)
        {
            foreach (var t in r) t.Dispose();
            r.Clear();
        }
    }

    public void Dispose()
    {
        foreach (var (layer, handler) in hooks) layer.Forwarded -= handler;
        hooks.Clear();
        Discard();
    }
}
