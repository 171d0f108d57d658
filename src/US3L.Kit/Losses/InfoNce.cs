using US3L.Torch;
using F = US3L.Torch.torch.nn.functional;

namespace US3L.Losses;

/// <summary>
/// MoCo v2's InfoNCE with a queue of negatives (science.md 9 item 17; a baseline). Each query is
/// scored against its own key (the positive) and against every key in the queue (the negatives),
/// so all candidates come from the teacher.
/// </summary>
public static class InfoNce
{
    /// <summary>MoCo v2's temperature.</summary>
    public const double DefaultTemperature = 0.07;

    /// <summary>
    /// q [B, d] online queries (gradients flow), k [B, d] teacher keys of the same images (detached),
    /// queue [K, d] earlier keys (see <see cref="KeyQueue"/>; treated as constants). Logits are
    /// [g(q)·g(k)⁺ | g(q)·queueᵀ] / τ, [B, 1 + K]; the loss is the cross entropy with label 0, mean
    /// over the batch. Enqueue k after the loss, as MoCo does, so a key is never its own negative.
    /// </summary>
    public static Tensor Loss(Tensor q, Tensor k, Tensor queue, double tau = DefaultTemperature)
    {
        const string op = "InfoNce";
        LossChecks.Pair(op, "q", q, "k", k);
        LossChecks.Embeddings(op, "queue", queue);
        if (queue.size(1) != q.size(1))
            throw new ArgumentException($"{op}: queue keys must have the query dimension {q.size(1)}, got {LossChecks.Shape(queue)}.", nameof(queue));
        LossChecks.Temperature(op, tau);
        using var scope = torch.NewDisposeScope();
        var qn = F.normalize(q, dim: 1);
        var kn = F.normalize(k.detach(), dim: 1);
        var positive = (qn * kn).sum(1, keepdim: true);
        var negatives = qn.mm(queue.detach().to(q.dtype, q.device).t());
        var logits = torch.cat(new[] { positive, negatives }, 1) / tau;
        var labels = torch.zeros(new[] { q.size(0) }, torch.int64, q.device);
        return scope.MoveToOuter(F.cross_entropy(logits, labels));
    }
}
