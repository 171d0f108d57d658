using System.Collections;

namespace US3L.Torch.nn;

/// <summary>Runs its modules in order; children are named 0, 1, 2, ... as in PyTorch.</summary>
public sealed class Sequential : Module<Tensor, Tensor>, IReadOnlyList<Module<Tensor, Tensor>>
{
    private readonly List<Module<Tensor, Tensor>> layers = new();

    public Sequential(params Module<Tensor, Tensor>[] modules)
    {
        foreach (var m in modules) append(m);
    }

    /// <summary>Named children (e.g. torchvision's <c>downsample</c> uses 0 and 1; a head may use names).</summary>
    public Sequential(IEnumerable<(string name, Module<Tensor, Tensor> module)> modules)
    {
        foreach (var (name, m) in modules)
        {
            register_module(name, m);
            layers.Add(m);
        }
    }

    public Sequential append(Module<Tensor, Tensor> module)
    {
        register_module(layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        layers.Add(module);
        return this;
    }

    /// <summary>
    /// Each intermediate result is disposed as soon as the next layer has consumed it (the
    /// autograd graph keeps what backward needs), so a deep stack holds few handles.
    /// </summary>
    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var layer in layers)
        {
            var y = layer.forward(x);
            if (!ReferenceEquals(x, input) && !ReferenceEquals(x, y)) x.Dispose();
            x = y;
        }
        return x;
    }

    public Module<Tensor, Tensor> this[int index] => layers[index];
    public int Count => layers.Count;
    public IEnumerator<Module<Tensor, Tensor>> GetEnumerator() => layers.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
