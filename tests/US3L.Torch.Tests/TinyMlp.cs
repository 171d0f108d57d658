using US3L.Torch.nn;

namespace US3L.Torch.Tests;

/// <summary>A layer y = sum_k x[:, k] * w[:, k] + b built from broadcasting and sum (test-only).</summary>
public sealed class TinyLinear : Module<Tensor, Tensor>
{
    public readonly Tensor weight;
    public readonly Tensor bias;

    public TinyLinear(long inFeatures, long outFeatures)
    {
        weight = register_parameter("weight", torch.randn(outFeatures, inFeatures) * 0.5);
        bias = register_parameter("bias", torch.zeros(outFeatures));
    }

    public override Tensor forward(Tensor x) => (x.view(x.size(0), 1, x.size(1)) * weight).sum(-1) + bias;

    public override string extra_repr() => $"in_features={weight.size(1)}, out_features={weight.size(0)}";
}

/// <summary>Two layers, a running-mean buffer and a non-persistent buffer, to exercise registration.</summary>
public sealed class TinyMlp : Module<Tensor, Tensor>
{
    public readonly TinyLinear fc1;
    public readonly ReLU act;
    public readonly TinyLinear fc2;
    public readonly Tensor running_mean;

    public TinyMlp(long inFeatures = 3, long hidden = 4, long outFeatures = 2)
    {
        fc1 = register_module("fc1", new TinyLinear(inFeatures, hidden));
        act = register_module("act", new ReLU());
        fc2 = register_module("fc2", new TinyLinear(hidden, outFeatures));
        running_mean = register_buffer("running_mean", torch.zeros(inFeatures));
        register_buffer("scratch", torch.zeros(1), persistent: false);
    }

    public override Tensor forward(Tensor x) => fc2.forward(act.forward(fc1.forward(x)));
}
