using System.Text;

namespace US3L.Torch.nn;

/// <summary>
/// A node of a network: named parameters, buffers and child modules, registered explicitly so
/// their order (and so the state_dict order) is the registration order, as in PyTorch. Names
/// follow torchvision (<c>layer1.0.conv1.weight</c>) so checkpoints move between the kit and
/// PyTorch. A module owns its parameters and buffers: <see cref="Dispose"/> frees them.
/// Forward passes live on <see cref="Module{T, TResult}"/>.
/// </summary>
public abstract partial class Module : IDisposable
{
    private readonly List<(string Name, Tensor? Value)> ownParameters = new();
    private readonly List<(string Name, Tensor? Value, bool Persistent)> ownBuffers = new();
    private readonly List<(string Name, Module? Value)> ownChildren = new();
    private bool disposed;

    protected Module(string? name = null) => TypeName = name ?? GetType().Name;

    /// <summary>The name shown by ToString (the class name unless given).</summary>
    public string TypeName { get; }

    /// <summary>True in training mode (the default); see <see cref="train"/> and <see cref="eval"/>.</summary>
    public bool training { get; private set; } = true;

    // ---- registration ----------------------------------------------------------------------

    /// <summary>
    /// Registers <paramref name="value"/> as parameter <paramref name="name"/> and returns the
    /// parameter (see <see cref="Parameter.Create"/>). Registering a name again replaces and frees the old tensor.
    /// </summary>
    public Tensor register_parameter(string name, Tensor value, bool requires_grad = true)
    {
        CheckName(name, "parameter");
        var p = Parameter.Create(value, requires_grad);
        Set(ownParameters, name, p);
        return p;
    }

    /// <summary>
    /// An optional parameter such as a bias: null registers the name as absent (listed nowhere,
    /// as PyTorch's <c>register_parameter(name, None)</c>); otherwise as register_parameter.
    /// </summary>
    public Tensor? register_optional_parameter(string name, Tensor? value, bool requires_grad = true)
    {
        if (value is not null) return register_parameter(name, value, requires_grad);
        CheckName(name, "parameter");
        Set(ownParameters, name, null);
        return null;
    }

    /// <summary>
    /// Registers a buffer (state that is not trained, e.g. BatchNorm running statistics).
    /// Persistent buffers are part of state_dict; non-persistent ones only move with the module.
    /// </summary>
    public Tensor register_buffer(string name, Tensor value, bool persistent = true)
    {
        CheckName(name, "buffer");
        var b = Parameter.CreateBuffer(value);
        var i = ownBuffers.FindIndex(e => e.Name == name);
        if (i >= 0)
        {
            if (!ReferenceEquals(ownBuffers[i].Value, b)) ownBuffers[i].Value?.Dispose();
            ownBuffers[i] = (name, b, persistent);
        }
        else ownBuffers.Add((name, b, persistent));
        return b;
    }

    /// <summary>Registers a child module; its names get the prefix <c>name.</c>.</summary>
    public T register_module<T>(string name, T module) where T : Module
    {
        CheckName(name, "module");
        ArgumentNullException.ThrowIfNull(module);
        if (ReferenceEquals(module, this)) throw new ArgumentException($"Module '{name}' cannot be registered as its own child.");
        var i = ownChildren.FindIndex(e => e.Name == name);
        if (i >= 0) ownChildren[i] = (name, module);
        else ownChildren.Add((name, module));
        return module;
    }

    private void CheckName(string name, string kind)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"A {kind} name must be non-empty and contain no '.', got '{name}'.");
        var taken = (kind != "parameter" && ownParameters.Any(e => e.Name == name)) ? "parameter"
                  : (kind != "buffer" && ownBuffers.Any(e => e.Name == name)) ? "buffer"
                  : (kind != "module" && ownChildren.Any(e => e.Name == name)) ? "module" : null;
        if (taken is not null)
            throw new ArgumentException($"Cannot register {kind} '{name}' on {TypeName}: a {taken} has that name.");
    }

    private static void Set(List<(string Name, Tensor? Value)> list, string name, Tensor? value)
    {
        var i = list.FindIndex(e => e.Name == name);
        if (i < 0) { list.Add((name, value)); return; }
        if (!ReferenceEquals(list[i].Value, value)) list[i].Value?.Dispose();
        list[i] = (name, value);
    }

    // ---- enumeration -----------------------------------------------------------------------

    /// <summary>Parameters of this module, then of each child in registration order, with dotted names.</summary>
    public IEnumerable<(string name, Tensor parameter)> named_parameters(bool recurse = true)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, m) in recurse ? named_modules() : new[] { ("", this) })
            foreach (var (name, p) in m.ownParameters)
                if (p is not null && seen.Add(p)) yield return (Join(prefix, name), p);
    }

    public IEnumerable<Tensor> parameters(bool recurse = true) => named_parameters(recurse).Select(e => e.parameter);

    /// <summary>Buffers with dotted names (persistent and not).</summary>
    public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true)
    {
        foreach (var (prefix, m) in recurse ? named_modules() : new[] { ("", this) })
            foreach (var (name, b, _) in m.ownBuffers)
                if (b is not null) yield return (Join(prefix, name), b);
    }

    public IEnumerable<Tensor> buffers(bool recurse = true) => named_buffers(recurse).Select(e => e.buffer);

    public IEnumerable<(string name, Module module)> named_children()
    {
        foreach (var (name, m) in ownChildren)
            if (m is not null) yield return (name, m);
    }

    public IEnumerable<Module> children() => named_children().Select(e => e.module);

    /// <summary>This module (name "") and every descendant, depth first, each module once.</summary>
    public IEnumerable<(string name, Module module)> named_modules()
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        return Walk(this, "", seen);

        static IEnumerable<(string, Module)> Walk(Module m, string prefix, HashSet<Module> seen)
        {
            if (!seen.Add(m)) yield break;
            yield return (prefix, m);
            foreach (var (name, child) in m.named_children())
                foreach (var e in Walk(child, Join(prefix, name), seen))
                    yield return e;
        }
    }

    public IEnumerable<Module> modules() => named_modules().Select(e => e.module);

    /// <summary>The descendant at a dotted path such as <c>layer1.0</c>.</summary>
    public Module get_submodule(string target)
    {
        if (target.Length == 0) return this;
        var m = this;
        foreach (var part in target.Split('.'))
        {
            var next = m.ownChildren.FirstOrDefault(e => e.Name == part).Value;
            m = next ?? throw new ArgumentException(
                $"{m.TypeName} has no child '{part}' (looking up '{target}'); children: {string.Join(", ", m.named_children().Select(c => c.name))}.");
        }
        return m;
    }

    internal static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    // ---- modes and bulk operations ---------------------------------------------------------

    /// <summary>Sets training mode on this module and every descendant.</summary>
    public virtual Module train(bool mode = true)
    {
        foreach (var m in modules()) m.training = mode;
        return this;
    }

    public Module eval() => train(false);

    /// <summary>Calls <paramref name="fn"/> on every descendant, children first, then on this module (as PyTorch).</summary>
    public Module apply(Action<Module> fn)
    {
        foreach (var child in children()) child.apply(fn);
        fn(this);
        return this;
    }

    /// <summary>Clears the gradients of every parameter (set to none by default).</summary>
    public void zero_grad(bool set_to_none = true)
    {
        foreach (var p in parameters()) p.zero_grad(set_to_none);
    }

    /// <summary>
    /// Moves parameters and buffers to <paramref name="device"/> in place: the parameter objects
    /// stay the same, so optimizers built over them stay valid.
    /// </summary>
    public Module to(Device device) => Convert(t => t.to(device), convertIntegral: true);

    /// <summary>Casts floating-point parameters and buffers to <paramref name="dtype"/> in place (integers stay).</summary>
    public Module to(ScalarType dtype)
    {
        if (!dtype.IsFloatingPoint()) throw new ArgumentException($"Module.to needs a floating-point dtype, got {dtype.Name()}.");
        return Convert(t => t.to(dtype), convertIntegral: false);
    }

    public Module to(ScalarType dtype, Device device)
    {
        to(device);
        return to(dtype);
    }

    private Module Convert(Func<Tensor, Tensor> convert, bool convertIntegral)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var t in parameters().Concat(buffers()))
        {
            if (!seen.Add(t)) continue;
            if (!convertIntegral && !t.dtype.IsFloatingPoint()) continue;
            var grad = t.grad;
            var movedGrad = grad is null ? null : convert(grad);
            if (grad is not null) t.grad = null;
            t.set_data(convert(t));
            if (movedGrad is not null) t.grad = movedGrad;
        }
        return this;
    }

    // ---- lifetime and text -----------------------------------------------------------------

    /// <summary>Frees every parameter and buffer of this module and its descendants.</summary>
    public void Dispose()
    {
        if (disposed) return;
        foreach (var m in modules().ToList())
        {
            if (m.disposed) continue;
            m.disposed = true;
            foreach (var (_, p) in m.ownParameters) p?.Dispose();
            foreach (var (_, b, _) in m.ownBuffers) b?.Dispose();
            m.DisposeExtra();
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees native resources a subclass holds outside its parameters and buffers.</summary>
    protected virtual void DisposeExtra() { }

    /// <summary>Hyper-parameters shown in ToString, e.g. <c>in_features=3, out_features=4</c>.</summary>
    public virtual string extra_repr() => "";

    /// <summary>The module tree, in PyTorch's format.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Render(sb, 0);
        return sb.ToString();
    }

    private void Render(StringBuilder sb, int indent)
    {
        sb.Append(TypeName).Append('(').Append(extra_repr());
        var kids = named_children().ToList();
        if (kids.Count == 0) { sb.Append(')'); return; }
        sb.AppendLine();
        var pad = new string(' ', 2 * (indent + 1));
        foreach (var (name, child) in kids)
        {
            sb.Append(pad).Append('(').Append(name).Append("): ");
            child.Render(sb, indent + 1);
            sb.AppendLine();
        }
        sb.Append(' ', 2 * indent).Append(')');
    }
}

/// <summary>A module with a forward pass from <typeparamref name="T"/> to <typeparamref name="TResult"/>.</summary>
public abstract class Module<T, TResult> : Module
{
    protected Module(string? name = null) : base(name) { }

    public abstract TResult forward(T input);

    /// <summary>Same as forward (PyTorch's <c>module(x)</c>).</summary>
    public TResult call(T input) => forward(input);
}
