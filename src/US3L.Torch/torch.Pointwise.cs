using US3L.Torch.Native;

namespace US3L.Torch;

/// <summary>Function forms of the elementwise ops: <c>torch.exp(x)</c>, <c>torch.where(c, a, b)</c>.</summary>
public static partial class torch
{
    public static Tensor where(Tensor condition, Tensor a, Tensor b) =>
        NativeMethods.Wrap(NativeMethods.us3l_where(condition.Handle, a.Handle, b.Handle));

    public static Tensor pow(double b, Tensor exponent) => NativeMethods.Wrap(NativeMethods.us3l_pow_scalar_tensor(b, exponent.Handle));
    public static Tensor pow(Tensor b, double exponent) => b.pow(exponent);
    public static Tensor maximum(Tensor a, Tensor b) => a.maximum(b);
    public static Tensor minimum(Tensor a, Tensor b) => a.minimum(b);
    public static Tensor exp(Tensor x) => x.exp();
    public static Tensor log(Tensor x) => x.log();
    public static Tensor sqrt(Tensor x) => x.sqrt();
    public static Tensor abs(Tensor x) => x.abs();
    public static Tensor sin(Tensor x) => x.sin();
    public static Tensor cos(Tensor x) => x.cos();
    public static Tensor tanh(Tensor x) => x.tanh();
    public static Tensor sigmoid(Tensor x) => x.sigmoid();
    public static Tensor relu(Tensor x) => x.relu();
    public static Tensor clamp(Tensor x, double? min = null, double? max = null) => x.clamp(min, max);
    public static Tensor lerp(Tensor a, Tensor b, double weight) => a.lerp(b, weight);
    public static Tensor isclose(Tensor a, Tensor b, double rtol = 1e-5, double atol = 1e-8) => a.isclose(b, rtol, atol);
}
