namespace US3L.Torch;

/// <summary>
/// Frees native tensors deterministically. Every tensor created on a thread while a scope is open
/// belongs to the innermost scope and is disposed when that scope ends, unless it was moved out
/// (<see cref="MoveToOuter(Tensor)"/>) or detached (<see cref="Detach"/>). Usage, one scope per step:
/// <code>
/// using (var scope = torch.NewDisposeScope()) { var loss = model.forward(x).mean(); loss.backward(); }
/// </code>
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? current;

    private readonly DisposeScope? outer;
    private readonly List<Tensor> owned = new();
    private bool disposed;

    internal DisposeScope()
    {
        outer = current;
        current = this;
    }

    /// <summary>The innermost open scope of this thread, or null.</summary>
    public static DisposeScope? Current => current;

    /// <summary>How many tensors this scope still owns.</summary>
    public int Count => owned.Count(t => t.OwnerScope == this && !t.IsDisposed);

    internal static void Register(Tensor t)
    {
        var scope = current;
        if (scope is null) return;
        t.OwnerScope = scope;
        scope.owned.Add(t);
    }

    /// <summary>Hands the tensors to the enclosing scope (or to nobody) and returns the first.</summary>
    public Tensor MoveToOuter(Tensor tensor)
    {
        Move(tensor, outer);
        return tensor;
    }

    /// <summary>Hands several tensors to the enclosing scope.</summary>
    public void MoveToOuter(params Tensor[] tensors)
    {
        foreach (var t in tensors) Move(t, outer);
    }

    /// <summary>Removes the tensor from every scope: the caller now owns it and must dispose it.</summary>
    public static Tensor Detach(Tensor tensor)
    {
        tensor.OwnerScope = null;
        return tensor;
    }

    private static void Move(Tensor t, DisposeScope? target)
    {
        t.OwnerScope = target;
        target?.owned.Add(t);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        // An inner scope that was never disposed is abandoned here rather than left current.
        current = outer;
        foreach (var t in owned)
            if (t.OwnerScope == this) t.Dispose();
        owned.Clear();
    }
}
