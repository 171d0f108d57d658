using US3L.Torch.Native;

namespace US3L.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Activation functions and the softmax family.</summary>
        public static partial class functional
        {
            private static Tensor Unary(Tensor input, UnaryOp op, bool inplace)
            {
                if (!inplace) return input.ApplyUnary(op);
                NativeMethods.Check(NativeMethods.us3l_unary_(op, input.Handle));
                return input;
            }

            public static Tensor relu(Tensor input, bool inplace = false) => Unary(input, UnaryOp.Relu, inplace);
            /// <summary>min(max(x, 0), 6).</summary>
            public static Tensor relu6(Tensor input, bool inplace = false) => Unary(input, UnaryOp.Relu6, inplace);
            public static Tensor sigmoid(Tensor input) => input.sigmoid();
            public static Tensor tanh(Tensor input) => input.tanh();
            /// <summary>x * sigmoid(x).</summary>
            public static Tensor silu(Tensor input, bool inplace = false) => Unary(input, UnaryOp.Silu, inplace);
            /// <summary>x * relu6(x + 3) / 6.</summary>
            public static Tensor hardswish(Tensor input, bool inplace = false) => Unary(input, UnaryOp.Hardswish, inplace);
            /// <summary>relu6(x + 3) / 6.</summary>
            public static Tensor hardsigmoid(Tensor input, bool inplace = false) => Unary(input, UnaryOp.Hardsigmoid, inplace);

            /// <summary>Gaussian error linear unit; <paramref name="approximate"/> is "none" (exact, erf) or "tanh".</summary>
            public static Tensor gelu(Tensor input, string approximate = "none") => approximate switch
            {
                "none" => input.ApplyUnary(UnaryOp.Gelu),
                "tanh" => input.ApplyUnary(UnaryOp.GeluTanh),
                _ => throw new ArgumentException($"gelu: approximate must be \"none\" or \"tanh\", got \"{approximate}\".", nameof(approximate)),
            };

            public static Tensor leaky_relu(Tensor input, double negative_slope = 0.01) =>
                Wrap(NativeMethods.us3l_leaky_relu(input.Handle, negative_slope));

            public static Tensor elu(Tensor input, double alpha = 1.0) => Wrap(NativeMethods.us3l_elu(input.Handle, alpha));

            public static Tensor hardtanh(Tensor input, double min_val = -1.0, double max_val = 1.0)
            {
                if (min_val > max_val) throw new ArgumentException($"hardtanh: min_val {min_val} must not exceed max_val {max_val}.");
                return Wrap(NativeMethods.us3l_hardtanh(input.Handle, min_val, max_val));
            }

            /// <summary>exp(x) / sum(exp(x)) along <paramref name="dim"/>; with <paramref name="dtype"/> the input is cast first.</summary>
            public static Tensor softmax(Tensor input, long dim, ScalarType? dtype = null) =>
                WithDtype(input, dtype, x => Wrap(NativeMethods.us3l_softmax(x.Handle, dim)));

            /// <summary>log(softmax(x)) along <paramref name="dim"/>, computed stably.</summary>
            public static Tensor log_softmax(Tensor input, long dim, ScalarType? dtype = null) =>
                WithDtype(input, dtype, x => Wrap(NativeMethods.us3l_log_softmax(x.Handle, dim)));

            private static Tensor WithDtype(Tensor input, ScalarType? dtype, Func<Tensor, Tensor> f)
            {
                if (dtype is null || dtype == input.dtype) return f(input);
                using var cast = input.to(dtype.Value);
                return f(cast);
            }
        }
    }
}
