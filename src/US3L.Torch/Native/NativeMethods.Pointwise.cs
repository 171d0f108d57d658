using System.Runtime.InteropServices;

namespace US3L.Torch.Native;

/// <summary>Codes of src/native/pointwise.cpp's UnaryCode; keep the order identical.</summary>
internal enum UnaryOp
{
    Neg, Abs, Exp, Log, Sqrt, Rsqrt, Sin, Cos, Tanh, Sigmoid,
    Relu, Relu6, Gelu, Silu, Hardswish, Floor, Ceil, Round, Sign, Reciprocal,
    Square, Log1p, Expm1, Erf, LogicalNot, IsNan, IsInf, IsFinite, Trunc, Log2,
    GeluTanh, Hardsigmoid, Softplus,
}

/// <summary>Codes of src/native/pointwise.cpp's BinaryCode; keep the order identical.</summary>
internal enum BinaryOp
{
    Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt,
    Le, Gt, Ge, LogicalAnd, LogicalOr, LogicalXor, Remainder, Fmod, Atan2, FloorDivide,
    BitwiseAnd, BitwiseOr, BitwiseXor,
}

/// <summary>P/Invoke declarations of src/native/pointwise.cpp.</summary>
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_unary(UnaryOp code, TensorHandle x);
    [LibraryImport(Lib)] internal static partial int us3l_unary_(UnaryOp code, TensorHandle x);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_binary(BinaryOp code, TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_binary_scalar(BinaryOp code, TensorHandle a, double value, int integral);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_scalar_binary(BinaryOp code, double value, int integral, TensorHandle b);
    [LibraryImport(Lib)] internal static partial int us3l_binary_(BinaryOp code, TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial int us3l_binary_scalar_(BinaryOp code, TensorHandle a, double value, int integral);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_add_scaled(TensorHandle a, TensorHandle b, double alpha);
    [LibraryImport(Lib)] internal static partial int us3l_add_scaled_(TensorHandle a, TensorHandle b, double alpha);
    [LibraryImport(Lib)] internal static partial int us3l_addcmul_(TensorHandle a, TensorHandle b, TensorHandle c, double value);
    [LibraryImport(Lib)] internal static partial int us3l_addcdiv_(TensorHandle a, TensorHandle b, TensorHandle c, double value);
    [LibraryImport(Lib)] internal static partial int us3l_lerp_(TensorHandle a, TensorHandle b, double weight);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_lerp(TensorHandle a, TensorHandle b, double weight);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_clamp(TensorHandle x, int hasMin, double min, int hasMax, double max);
    [LibraryImport(Lib)] internal static partial int us3l_clamp_(TensorHandle x, int hasMin, double min, int hasMax, double max);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_clamp_tensor(TensorHandle x, TensorHandle min, TensorHandle max);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_where(TensorHandle cond, TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_pow_scalar_tensor(double b, TensorHandle exponent);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_leaky_relu(TensorHandle x, double slope);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_elu(TensorHandle x, double alpha);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_hardtanh(TensorHandle x, double lo, double hi);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_nan_to_num(TensorHandle x, double nan, double posinf, double neginf);
    [LibraryImport(Lib)] internal static partial TensorHandle us3l_allclose_tensor(TensorHandle a, TensorHandle b, double rtol, double atol);
}
