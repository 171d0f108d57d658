namespace US3L.Kernel.Protocol;

/// <summary>
/// Signatures seen so far: a message whose signature was already accepted is a replay (someone
/// re-sending captured frames) and is rejected, as the messaging spec recommends and
/// jupyter_client's Session does. Bounded: the oldest signatures are forgotten past
/// <see cref="Capacity"/> (jupyter_client keeps 2^16 too).
/// </summary>
internal sealed class ReplayGuard
{
    public const int Capacity = 1 << 16;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _lock = new();

    /// <summary>True the first time a signature is offered; false for a replay.</summary>
    public bool FirstUse(string signature)
    {
        lock (_lock)
        {
            if (!_seen.Add(signature)) return false;
            _order.Enqueue(signature);
            if (_order.Count > Capacity) _seen.Remove(_order.Dequeue());
            return true;
        }
    }
}
