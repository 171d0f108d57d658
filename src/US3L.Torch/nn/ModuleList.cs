using System.Collections;
using System.Globalization;

namespace US3L.Torch.nn;

/// <summary>
/// A list of child modules named 0, 1, 2, ... (torchvision's <c>layer1.0</c>). It has no forward
/// of its own: the owner iterates it.
/// </summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> items = new();

    public ModuleList(params T[] modules)
    {
        foreach (var m in modules) append(m);
    }

    public ModuleList(IEnumerable<T> modules) : this(modules.ToArray()) { }

    public ModuleList<T> append(T module)
    {
        register_module(items.Count.ToString(CultureInfo.InvariantCulture), module);
        items.Add(module);
        return this;
    }

    public T this[int index] => items[index];
    public int Count => items.Count;
    public IEnumerator<T> GetEnumerator() => items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
