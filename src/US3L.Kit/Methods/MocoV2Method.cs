using US3L.Losses;
using US3L.Torch;
using US3L.Training;

namespace US3L.Methods;

/// <summary>
/// MoCo v2 (baseline, science.md 9 item 17): InfoNCE of online queries against their EMA keys and a
/// queue of earlier keys, symmetrised over the two view orders; τ and the queue length come from
/// the config. The queue is a buffer of the network (<c>queue</c>), so it is checkpointed.
/// </summary>
public sealed class MocoV2Method : SslMethod
{
    private KeyQueue? queue;

    public override BaseLoss Kind => BaseLoss.MocoV2;

    public override void Attach(SslNetwork network, PretrainConfig config)
    {
        var dim = config.ProjectorOut;
        using var generator = new Generator(config.Seed);
        queue = network.register_module("queue", new KeyQueue(config.QueueSize, dim, generator));
    }

    public override Tensor Loss(SslNetwork network, ViewPair z, ViewPair? targets, PretrainConfig config)
    {
        var t = Require(targets, "MoCo v2");
        var q = queue ?? throw new InvalidOperationException("MoCo v2: Attach was not called.");
        using var scope = torch.NewDisposeScope();
        // A copy: the queue is overwritten in place by the enqueue that follows, before the backward.
        var keys = q.Keys.clone();
        return scope.MoveToOuter(0.5 * (InfoNce.Loss(z.V1, t.V2, keys, config.Temperature) + InfoNce.Loss(z.V2, t.V1, keys, config.Temperature)));
    }

    public override void AfterBaseLoss(SslNetwork network, ViewPair? targets)
    {
        if (targets is { } t) queue!.Enqueue(t.V2);
    }
}
