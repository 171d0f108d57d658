using F = US3L.Torch.torch.nn.functional;

namespace US3L.Torch.nn;

/// <summary>Normalises over the trailing <c>normalized_shape</c> dims, with elementwise affine γ/β.</summary>
public class LayerNorm : Module<Tensor, Tensor>
{
    public long[] normalized_shape { get; }
    public double eps { get; }
    public Tensor? weight { get; }
    public Tensor? bias { get; }

    public LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true)
    {
        if (normalized_shape.Length == 0 || normalized_shape.Any(s => s < 1))
            throw new ArgumentException($"LayerNorm needs a non-empty positive normalized_shape, got {Tensor.ShapeString(normalized_shape)}.");
        this.normalized_shape = normalized_shape;
        this.eps = eps;
        weight = register_optional_parameter("weight", elementwise_affine ? torch.ones(normalized_shape) : null);
        bias = register_optional_parameter("bias", elementwise_affine ? torch.zeros(normalized_shape) : null);
    }

    public LayerNorm(long normalized_shape, double eps = 1e-5, bool elementwise_affine = true)
        : this(new[] { normalized_shape }, eps, elementwise_affine) { }

    public override Tensor forward(Tensor input) => F.layer_norm(input, normalized_shape, weight, bias, eps);

    public override string extra_repr() => $"{Tensor.ShapeString(normalized_shape)}, eps={eps}, elementwise_affine={weight is not null}";
}
