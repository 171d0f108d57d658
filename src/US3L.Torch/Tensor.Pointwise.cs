using US3L.Torch.Native;

namespace US3L.Torch;

/// <summary>Elementwise math, arithmetic operators and comparisons (broadcasting as in PyTorch).</summary>
public sealed partial class Tensor
{
    private Tensor Unary(UnaryOp op) => NativeMethods.Wrap(NativeMethods.us3l_unary(op, Handle));

    private Tensor UnaryInPlace(UnaryOp op)
    {
        NativeMethods.Check(NativeMethods.us3l_unary_(op, Handle));
        return this;
    }

    private Tensor Binary(BinaryOp op, Tensor other) => NativeMethods.Wrap(NativeMethods.us3l_binary(op, Handle, other.Handle));
    private Tensor Binary(BinaryOp op, double value) => NativeMethods.Wrap(NativeMethods.us3l_binary_scalar(op, Handle, value, 0));
    private Tensor Binary(BinaryOp op, long value) => NativeMethods.Wrap(NativeMethods.us3l_binary_scalar(op, Handle, value, 1));

    private Tensor BinaryInPlace(BinaryOp op, Tensor other)
    {
        NativeMethods.Check(NativeMethods.us3l_binary_(op, Handle, other.Handle));
        return this;
    }

    private Tensor BinaryInPlace(BinaryOp op, double value)
    {
        NativeMethods.Check(NativeMethods.us3l_binary_scalar_(op, Handle, value, 0));
        return this;
    }

    private Tensor BinaryInPlace(BinaryOp op, long value)
    {
        NativeMethods.Check(NativeMethods.us3l_binary_scalar_(op, Handle, value, 1));
        return this;
    }

    // ---- unary -----------------------------------------------------------------------------
    public Tensor neg() => Unary(UnaryOp.Neg);
    public Tensor abs() => Unary(UnaryOp.Abs);
    public Tensor exp() => Unary(UnaryOp.Exp);
    public Tensor log() => Unary(UnaryOp.Log);
    public Tensor log2() => Unary(UnaryOp.Log2);
    public Tensor log1p() => Unary(UnaryOp.Log1p);
    public Tensor expm1() => Unary(UnaryOp.Expm1);
    public Tensor sqrt() => Unary(UnaryOp.Sqrt);
    public Tensor rsqrt() => Unary(UnaryOp.Rsqrt);
    public Tensor sin() => Unary(UnaryOp.Sin);
    public Tensor cos() => Unary(UnaryOp.Cos);
    public Tensor tanh() => Unary(UnaryOp.Tanh);
    public Tensor sigmoid() => Unary(UnaryOp.Sigmoid);
    public Tensor relu() => Unary(UnaryOp.Relu);
    public Tensor erf() => Unary(UnaryOp.Erf);
    public Tensor floor() => Unary(UnaryOp.Floor);
    public Tensor ceil() => Unary(UnaryOp.Ceil);
    public Tensor round() => Unary(UnaryOp.Round);
    public Tensor trunc() => Unary(UnaryOp.Trunc);
    public Tensor sign() => Unary(UnaryOp.Sign);
    public Tensor reciprocal() => Unary(UnaryOp.Reciprocal);
    public Tensor square() => Unary(UnaryOp.Square);
    public Tensor logical_not() => Unary(UnaryOp.LogicalNot);
    public Tensor isnan() => Unary(UnaryOp.IsNan);
    public Tensor isinf() => Unary(UnaryOp.IsInf);
    public Tensor isfinite() => Unary(UnaryOp.IsFinite);
    internal Tensor ApplyUnary(UnaryOp op) => Unary(op);

    public Tensor neg_() => UnaryInPlace(UnaryOp.Neg);
    public Tensor abs_() => UnaryInPlace(UnaryOp.Abs);
    public Tensor exp_() => UnaryInPlace(UnaryOp.Exp);
    public Tensor log_() => UnaryInPlace(UnaryOp.Log);
    public Tensor sqrt_() => UnaryInPlace(UnaryOp.Sqrt);
    public Tensor relu_() => UnaryInPlace(UnaryOp.Relu);
    public Tensor sigmoid_() => UnaryInPlace(UnaryOp.Sigmoid);
    public Tensor floor_() => UnaryInPlace(UnaryOp.Floor);
    public Tensor round_() => UnaryInPlace(UnaryOp.Round);
    public Tensor sign_() => UnaryInPlace(UnaryOp.Sign);
    public Tensor square_() => UnaryInPlace(UnaryOp.Square);
    public Tensor reciprocal_() => UnaryInPlace(UnaryOp.Reciprocal);

    // ---- binary ----------------------------------------------------------------------------
    public Tensor add(Tensor other) => Binary(BinaryOp.Add, other);
    public Tensor add(Tensor other, double alpha) => NativeMethods.Wrap(NativeMethods.us3l_add_scaled(Handle, other.Handle, alpha));
    public Tensor add(double value) => Binary(BinaryOp.Add, value);
    public Tensor sub(Tensor other) => Binary(BinaryOp.Sub, other);
    public Tensor sub(double value) => Binary(BinaryOp.Sub, value);
    public Tensor mul(Tensor other) => Binary(BinaryOp.Mul, other);
    public Tensor mul(double value) => Binary(BinaryOp.Mul, value);
    public Tensor div(Tensor other) => Binary(BinaryOp.Div, other);
    public Tensor div(double value) => Binary(BinaryOp.Div, value);
    public Tensor pow(Tensor exponent) => Binary(BinaryOp.Pow, exponent);
    public Tensor pow(double exponent) => Binary(BinaryOp.Pow, exponent);
    public Tensor maximum(Tensor other) => Binary(BinaryOp.Maximum, other);
    public Tensor minimum(Tensor other) => Binary(BinaryOp.Minimum, other);
    public Tensor remainder(double value) => Binary(BinaryOp.Remainder, value);
    public Tensor remainder(Tensor other) => Binary(BinaryOp.Remainder, other);
    public Tensor fmod(double value) => Binary(BinaryOp.Fmod, value);
    public Tensor atan2(Tensor other) => Binary(BinaryOp.Atan2, other);
    public Tensor floor_divide(Tensor other) => Binary(BinaryOp.FloorDivide, other);
    public Tensor floor_divide(long value) => Binary(BinaryOp.FloorDivide, value);
    public Tensor logical_and(Tensor other) => Binary(BinaryOp.LogicalAnd, other);
    public Tensor logical_or(Tensor other) => Binary(BinaryOp.LogicalOr, other);
    public Tensor logical_xor(Tensor other) => Binary(BinaryOp.LogicalXor, other);
    public Tensor bitwise_and(Tensor other) => Binary(BinaryOp.BitwiseAnd, other);
    public Tensor bitwise_or(Tensor other) => Binary(BinaryOp.BitwiseOr, other);

    public Tensor eq(Tensor other) => Binary(BinaryOp.Eq, other);
    public Tensor eq(double value) => Binary(BinaryOp.Eq, value);
    public Tensor ne(Tensor other) => Binary(BinaryOp.Ne, other);
    public Tensor ne(double value) => Binary(BinaryOp.Ne, value);
    public Tensor lt(Tensor other) => Binary(BinaryOp.Lt, other);
    public Tensor lt(double value) => Binary(BinaryOp.Lt, value);
    public Tensor le(Tensor other) => Binary(BinaryOp.Le, other);
    public Tensor le(double value) => Binary(BinaryOp.Le, value);
    public Tensor gt(Tensor other) => Binary(BinaryOp.Gt, other);
    public Tensor gt(double value) => Binary(BinaryOp.Gt, value);
    public Tensor ge(Tensor other) => Binary(BinaryOp.Ge, other);
    public Tensor ge(double value) => Binary(BinaryOp.Ge, value);

    // In-place forms (used by optimizers and initialisers, usually under no_grad).
    public Tensor add_(Tensor other) => BinaryInPlace(BinaryOp.Add, other);
    public Tensor add_(double value) => BinaryInPlace(BinaryOp.Add, value);
    public Tensor add_(long value) => BinaryInPlace(BinaryOp.Add, value);
    public Tensor add_(Tensor other, double alpha)
    {
        NativeMethods.Check(NativeMethods.us3l_add_scaled_(Handle, other.Handle, alpha));
        return this;
    }
    public Tensor sub_(Tensor other) => BinaryInPlace(BinaryOp.Sub, other);
    public Tensor sub_(double value) => BinaryInPlace(BinaryOp.Sub, value);
    public Tensor sub_(long value) => BinaryInPlace(BinaryOp.Sub, value);
    public Tensor mul_(Tensor other) => BinaryInPlace(BinaryOp.Mul, other);
    public Tensor mul_(double value) => BinaryInPlace(BinaryOp.Mul, value);
    public Tensor mul_(long value) => BinaryInPlace(BinaryOp.Mul, value);
    public Tensor div_(Tensor other) => BinaryInPlace(BinaryOp.Div, other);
    public Tensor div_(double value) => BinaryInPlace(BinaryOp.Div, value);
    public Tensor pow_(double value) => BinaryInPlace(BinaryOp.Pow, value);

    public Tensor addcmul_(Tensor t1, Tensor t2, double value = 1)
    {
        NativeMethods.Check(NativeMethods.us3l_addcmul_(Handle, t1.Handle, t2.Handle, value));
        return this;
    }

    public Tensor addcdiv_(Tensor t1, Tensor t2, double value = 1)
    {
        NativeMethods.Check(NativeMethods.us3l_addcdiv_(Handle, t1.Handle, t2.Handle, value));
        return this;
    }

    /// <summary>this + weight * (end - this), in place: an EMA update with weight 1 - m.</summary>
    public Tensor lerp_(Tensor end, double weight)
    {
        NativeMethods.Check(NativeMethods.us3l_lerp_(Handle, end.Handle, weight));
        return this;
    }

    public Tensor lerp(Tensor end, double weight) => NativeMethods.Wrap(NativeMethods.us3l_lerp(Handle, end.Handle, weight));

    public Tensor clamp(double? min = null, double? max = null)
    {
        if (min is null && max is null) throw new ArgumentException("clamp: give at least one of min and max.");
        return NativeMethods.Wrap(NativeMethods.us3l_clamp(Handle, min.HasValue ? 1 : 0, min ?? 0, max.HasValue ? 1 : 0, max ?? 0));
    }

    public Tensor clamp(Tensor? min, Tensor? max) => NativeMethods.Wrap(NativeMethods.us3l_clamp_tensor(Handle, min.HandleOrNull(), max.HandleOrNull()));

    public Tensor clamp_(double? min = null, double? max = null)
    {
        if (min is null && max is null) throw new ArgumentException("clamp_: give at least one of min and max.");
        NativeMethods.Check(NativeMethods.us3l_clamp_(Handle, min.HasValue ? 1 : 0, min ?? 0, max.HasValue ? 1 : 0, max ?? 0));
        return this;
    }

    public Tensor clamp_min(double min) => clamp(min, null);
    public Tensor clamp_max(double max) => clamp(null, max);

    public Tensor fill_(double value)
    {
        NativeMethods.Check(NativeMethods.us3l_fill_(Handle, value));
        return this;
    }

    public Tensor zero_()
    {
        NativeMethods.Check(NativeMethods.us3l_zero_(Handle));
        return this;
    }

    public Tensor uniform_(double from = 0, double to = 1, Generator? generator = null)
    {
        NativeMethods.Check(NativeMethods.us3l_uniform_(Handle, from, to, generator?.Raw ?? IntPtr.Zero));
        return this;
    }

    public Tensor normal_(double mean = 0, double std = 1, Generator? generator = null)
    {
        NativeMethods.Check(NativeMethods.us3l_normal_(Handle, mean, std, generator?.Raw ?? IntPtr.Zero));
        return this;
    }

    public Tensor bernoulli_(double p, Generator? generator = null)
    {
        NativeMethods.Check(NativeMethods.us3l_bernoulli_(Handle, p, generator?.Raw ?? IntPtr.Zero));
        return this;
    }

    public Tensor nan_to_num(double nan = 0, double? posinf = null, double? neginf = null) =>
        NativeMethods.Wrap(NativeMethods.us3l_nan_to_num(Handle, nan, posinf ?? double.MaxValue, neginf ?? double.MinValue));

    /// <summary>Elementwise |a - b| &lt;= atol + rtol * |b|.</summary>
    public Tensor isclose(Tensor other, double rtol = 1e-5, double atol = 1e-8) =>
        NativeMethods.Wrap(NativeMethods.us3l_allclose_tensor(Handle, other.Handle, rtol, atol));

    // ---- operators -------------------------------------------------------------------------
    public static Tensor operator +(Tensor a, Tensor b) => a.Binary(BinaryOp.Add, b);
    public static Tensor operator +(Tensor a, double b) => a.Binary(BinaryOp.Add, b);
    public static Tensor operator +(Tensor a, long b) => a.Binary(BinaryOp.Add, b);
    public static Tensor operator +(double a, Tensor b) => b.Binary(BinaryOp.Add, a);
    public static Tensor operator +(long a, Tensor b) => b.Binary(BinaryOp.Add, a);
    public static Tensor operator -(Tensor a, Tensor b) => a.Binary(BinaryOp.Sub, b);
    public static Tensor operator -(Tensor a, double b) => a.Binary(BinaryOp.Sub, b);
    public static Tensor operator -(Tensor a, long b) => a.Binary(BinaryOp.Sub, b);
    public static Tensor operator -(double a, Tensor b) => NativeMethods.Wrap(NativeMethods.us3l_scalar_binary(BinaryOp.Sub, a, 0, b.Handle));
    public static Tensor operator -(long a, Tensor b) => NativeMethods.Wrap(NativeMethods.us3l_scalar_binary(BinaryOp.Sub, a, 1, b.Handle));
    public static Tensor operator *(Tensor a, Tensor b) => a.Binary(BinaryOp.Mul, b);
    public static Tensor operator *(Tensor a, double b) => a.Binary(BinaryOp.Mul, b);
    public static Tensor operator *(Tensor a, long b) => a.Binary(BinaryOp.Mul, b);
    public static Tensor operator *(double a, Tensor b) => b.Binary(BinaryOp.Mul, a);
    public static Tensor operator *(long a, Tensor b) => b.Binary(BinaryOp.Mul, a);
    public static Tensor operator /(Tensor a, Tensor b) => a.Binary(BinaryOp.Div, b);
    public static Tensor operator /(Tensor a, double b) => a.Binary(BinaryOp.Div, b);
    public static Tensor operator /(Tensor a, long b) => a.Binary(BinaryOp.Div, b);
    public static Tensor operator /(double a, Tensor b) => NativeMethods.Wrap(NativeMethods.us3l_scalar_binary(BinaryOp.Div, a, 0, b.Handle));
    public static Tensor operator %(Tensor a, Tensor b) => a.Binary(BinaryOp.Remainder, b);
    public static Tensor operator %(Tensor a, double b) => a.Binary(BinaryOp.Remainder, b);
    public static Tensor operator -(Tensor a) => a.neg();
    public static Tensor operator !(Tensor a) => a.logical_not();
    public static Tensor operator &(Tensor a, Tensor b) => a.dtype == ScalarType.Bool ? a.logical_and(b) : a.bitwise_and(b);
    public static Tensor operator |(Tensor a, Tensor b) => a.dtype == ScalarType.Bool ? a.logical_or(b) : a.bitwise_or(b);
    public static Tensor operator <(Tensor a, Tensor b) => a.lt(b);
    public static Tensor operator >(Tensor a, Tensor b) => a.gt(b);
    public static Tensor operator <=(Tensor a, Tensor b) => a.le(b);
    public static Tensor operator >=(Tensor a, Tensor b) => a.ge(b);
    public static Tensor operator <(Tensor a, double b) => a.lt(b);
    public static Tensor operator >(Tensor a, double b) => a.gt(b);
    public static Tensor operator <=(Tensor a, double b) => a.le(b);
    public static Tensor operator >=(Tensor a, double b) => a.ge(b);
}
