using F = US3L.Torch.torch.nn.functional;

namespace US3L.Torch.nn;

/// <summary>y = x Wᵀ + b, with PyTorch's default initialisation (Kaiming-uniform, a = √5).</summary>
public class Linear : Module<Tensor, Tensor>
{
    public Tensor weight { get; }
    public Tensor? bias { get; }
    public long in_features { get; }
    public long out_features { get; }

    public Linear(long in_features, long out_features, bool bias = true, Generator? generator = null)
    {
        if (in_features < 1 || out_features < 1)
            throw new ArgumentException($"Linear needs positive feature counts, got in={in_features}, out={out_features}.");
        this.in_features = in_features;
        this.out_features = out_features;
        weight = register_parameter("weight", torch.empty(out_features, in_features));
        init.kaiming_uniform_(weight, a: Math.Sqrt(5), generator: generator);
        this.bias = register_optional_parameter("bias", bias ? torch.empty(out_features) : null);
        if (this.bias is not null)
        {
            var bound = 1 / Math.Sqrt(in_features);
            init.uniform_(this.bias, -bound, bound, generator);
        }
    }

    public override Tensor forward(Tensor input) => F.linear(input, weight, bias);

    public override string extra_repr() => $"in_features={in_features}, out_features={out_features}, bias={bias is not null}";
}
