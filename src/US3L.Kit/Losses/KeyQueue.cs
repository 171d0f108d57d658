using US3L.Torch;
using US3L.Torch.nn;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Losses;

/// <summary>
/// MoCo v2's dictionary of negatives: a first-in first-out queue of K detached, ℓ2-normalised
/// teacher keys (science.md 9 item 17). Enqueueing a batch dequeues the oldest keys by writing over
/// them. It is a <see cref="Module"/> so that its buffers (<c>queue</c> [K, d], one key per row, and
/// <c>queue_ptr</c>, the next row to write) are saved and restored with a checkpoint and move with
/// <c>to(device)</c>. MoCo stores the queue transposed, [d, K]; rows are used here so that a
/// key is a row like every other embedding of the kit.
/// </summary>
public sealed class KeyQueue : Module
{
    private readonly Tensor queue;
    private readonly Tensor pointer;

    /// <summary>
    /// A queue of <paramref name="size"/> keys of dimension <paramref name="dim"/>, filled, as in
    /// MoCo, with random unit vectors so the loss is defined from the first step.
    /// </summary>
    public KeyQueue(long size, long dim, Generator? generator = null) : base("KeyQueue")
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), $"The queue size must be positive, got {size}.");
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), $"The key dimension must be positive, got {dim}.");
        using var scope = torch.NewDisposeScope();
        queue = register_buffer("queue", F.normalize(torch.randn(new[] { size, dim }, torch.float32, generator: generator), dim: 1));
        pointer = register_buffer("queue_ptr", torch.zeros(new long[] { 1 }, torch.int64));
    }

    /// <summary>K, the number of keys held.</summary>
    public long Size => queue.size(0);

    /// <summary>d, the key dimension.</summary>
    public long Dim => queue.size(1);

    /// <summary>The row the next key is written to (the oldest key).</summary>
    public long Position => pointer.item<long>();

    /// <summary>The keys [K, d], a detached view of the buffer: use it before the next enqueue.</summary>
    public Tensor Keys => queue.detach();

    /// <summary>
    /// Writes the normalised, detached keys [B, d] over the B oldest rows (wrapping around the end)
    /// and advances the pointer by B. B must not exceed K.
    /// </summary>
    public void Enqueue(Tensor keys)
    {
        LossChecks.Embeddings("KeyQueue.Enqueue", "keys", keys);
        var (k, b) = (Size, keys.size(0));
        if (keys.size(1) != Dim)
            throw new ArgumentException($"KeyQueue.Enqueue: keys must have dimension {Dim}, got {LossChecks.Shape(keys)}.", nameof(keys));
        if (b > k)
            throw new ArgumentException($"KeyQueue.Enqueue: a batch of {b} keys does not fit a queue of {k}.", nameof(keys));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var normalized = F.normalize(keys.detach(), dim: 1).to(queue.dtype, queue.device);
        var start = Position;
        var first = Math.Min(b, k - start);
        queue.narrow(0, start, first).copy_(normalized.narrow(0, 0, first));
        if (first < b) queue.narrow(0, 0, b - first).copy_(normalized.narrow(0, first, b - first));
        pointer.fill_((start + b) % k);
    }

    public override string extra_repr() => $"size={Size}, dim={Dim}";
}
