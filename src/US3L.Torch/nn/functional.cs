using US3L.Torch.Native;

namespace US3L.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// Stateless neural-network functions with PyTorch's names, argument names and defaults
        /// (<c>using F = US3L.Torch.torch.nn.functional;</c> then <c>F.conv2d(x, w, stride: 2)</c>).
        /// Arguments that are cheap to check are validated here so the message says what was
        /// expected; everything else is checked by libtorch, whose error names the op and shapes.
        /// </summary>
        public static partial class functional
        {
            /// <summary>PyTorch's reduction names as at::Reduction codes.</summary>
            internal static long ReductionCode(string reduction, string op) => reduction switch
            {
                "none" => 0,
                "mean" => 1,
                "sum" => 2,
                _ => throw new ArgumentException($"{op}: reduction must be \"mean\", \"sum\" or \"none\", got \"{reduction}\".", nameof(reduction)),
            };

            /// <summary>Throws unless <paramref name="t"/> has one of the allowed dimensionalities.</summary>
            internal static void RequireDims(Tensor t, string op, string name, string layout, params long[] allowed)
            {
                var d = t.dim();
                if (!allowed.Contains(d))
                    throw new ArgumentException(
                        $"{op}: {name} must be {string.Join(" or ", allowed.Select(a => a + "-D"))} ({layout}), got shape {Tensor.ShapeString(t.shape)}.", name);
            }

            internal static Tensor Wrap(TensorHandle handle) => NativeMethods.Wrap(handle);
        }
    }
}
