using US3L.Torch.Native;

namespace US3L.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>2-D pooling of [N, C, H, W] (or unbatched [C, H, W]) images.</summary>
        public static partial class functional
        {
            private const string ImageLayout = "[N, C, H, W] or [C, H, W]";

            /// <summary>Max over kH x kW windows. stride defaults to kernel_size; padding is at most half the kernel.</summary>
            public static Tensor max_pool2d(Tensor input, IntPair kernel_size, IntPair? stride = null, IntPair? padding = null,
                IntPair? dilation = null, bool ceil_mode = false)
            {
                const string op = "max_pool2d";
                var (k, s, p) = CheckPool(op, input, kernel_size, stride, padding);
                var d = (dilation ?? 1).AtLeast(1, op, nameof(dilation));
                return Wrap(NativeMethods.us3l_max_pool2d(input.Handle, k.H, k.W, s.H, s.W, p.H, p.W, d.H, d.W, ceil_mode ? 1 : 0));
            }

            /// <summary>
            /// Mean over kH x kW windows. count_include_pad counts zero padding in the divisor;
            /// divisor_override replaces the divisor.
            /// </summary>
            public static Tensor avg_pool2d(Tensor input, IntPair kernel_size, IntPair? stride = null, IntPair? padding = null,
                bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null)
            {
                const string op = "avg_pool2d";
                var (k, s, p) = CheckPool(op, input, kernel_size, stride, padding);
                if (divisor_override is <= 0)
                    throw new ArgumentException($"{op}: divisor_override must be positive, got {divisor_override}.", nameof(divisor_override));
                return Wrap(NativeMethods.us3l_avg_pool2d(input.Handle, k.H, k.W, s.H, s.W, p.H, p.W, ceil_mode ? 1 : 0, count_include_pad ? 1 : 0,
                    divisor_override ?? 0));
            }

            /// <summary>Mean pooling to a fixed output size (output_size 1 is global average pooling).</summary>
            public static Tensor adaptive_avg_pool2d(Tensor input, IntPair output_size)
            {
                RequireDims(input, "adaptive_avg_pool2d", nameof(input), ImageLayout, 3, 4);
                var o = output_size.AtLeast(1, "adaptive_avg_pool2d", nameof(output_size));
                return Wrap(NativeMethods.us3l_adaptive_avg_pool2d(input.Handle, o.H, o.W));
            }

            /// <summary>Max pooling to a fixed output size.</summary>
            public static Tensor adaptive_max_pool2d(Tensor input, IntPair output_size)
            {
                RequireDims(input, "adaptive_max_pool2d", nameof(input), ImageLayout, 3, 4);
                var o = output_size.AtLeast(1, "adaptive_max_pool2d", nameof(output_size));
                return Wrap(NativeMethods.us3l_adaptive_max_pool2d(input.Handle, o.H, o.W));
            }

            private static (IntPair Kernel, IntPair Stride, IntPair Padding) CheckPool(string op, Tensor input, IntPair kernel_size, IntPair? stride,
                IntPair? padding)
            {
                RequireDims(input, op, nameof(input), ImageLayout, 3, 4);
                var k = kernel_size.AtLeast(1, op, nameof(kernel_size));
                var s = (stride ?? k).AtLeast(1, op, nameof(stride));
                var p = (padding ?? 0).AtLeast(0, op, nameof(padding));
                if (2 * p.H > k.H || 2 * p.W > k.W)
                    throw new ArgumentException($"{op}: padding {p} must be at most half of kernel_size {k}.", nameof(padding));
                return (k, s, p);
            }
        }
    }
}
