using US3L.Torch.Native;

namespace US3L.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Linear and convolution layers as functions.</summary>
        public static partial class functional
        {
            /// <summary>y = x Wᵀ + b. input [*, in], weight [out, in], bias [out].</summary>
            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null)
            {
                RequireDims(weight, "linear", nameof(weight), "[out_features, in_features]", 1, 2);
                var inFeatures = weight.size(-1);
                if (input.dim() == 0 || input.size(-1) != inFeatures)
                    throw new ArgumentException(
                        $"linear: input's last dimension must be in_features = {inFeatures} (weight {Tensor.ShapeString(weight.shape)}), got input shape {Tensor.ShapeString(input.shape)}.",
                        nameof(input));
                return Wrap(NativeMethods.us3l_linear(input.Handle, weight.Handle, bias.HandleOrNull()));
            }

            /// <summary>
            /// 2-D convolution. input [N, C_in, H, W] (or unbatched [C_in, H, W]),
            /// weight [C_out, C_in / groups, kH, kW], bias [C_out].
            /// </summary>
            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, IntPair? stride = null, IntPair? padding = null,
                IntPair? dilation = null, long groups = 1)
            {
                var (s, d) = CheckConv2d("conv2d", input, weight, stride, dilation, groups);
                var p = (padding ?? 0).AtLeast(0, "conv2d", nameof(padding));
                return Wrap(NativeMethods.us3l_conv2d(input.Handle, weight.Handle, bias.HandleOrNull(), s.H, s.W, p.H, p.W, d.H, d.W, groups));
            }

            /// <summary>2-D convolution with PyTorch's string padding: "valid" (none) or "same" (output size = input size, stride 1).</summary>
            public static Tensor conv2d(Tensor input, Tensor weight, string padding, Tensor? bias = null, IntPair? stride = null,
                IntPair? dilation = null, long groups = 1)
            {
                if (padding is not ("same" or "valid"))
                    throw new ArgumentException($"conv2d: padding must be \"same\", \"valid\" or integers, got \"{padding}\".", nameof(padding));
                var (s, d) = CheckConv2d("conv2d", input, weight, stride, dilation, groups);
                return Wrap(NativeMethods.us3l_conv2d_padding_mode(input.Handle, weight.Handle, bias.HandleOrNull(), s.H, s.W, padding, d.H, d.W, groups));
            }

            /// <summary>
            /// Transposed 2-D convolution (the gradient of conv2d with respect to its input).
            /// input [N, C_in, H, W], weight [C_in, C_out / groups, kH, kW], bias [C_out].
            /// </summary>
            public static Tensor conv_transpose2d(Tensor input, Tensor weight, Tensor? bias = null, IntPair? stride = null, IntPair? padding = null,
                IntPair? output_padding = null, long groups = 1, IntPair? dilation = null)
            {
                const string op = "conv_transpose2d";
                RequireDims(input, op, nameof(input), "[N, C_in, H, W] or [C_in, H, W]", 3, 4);
                RequireDims(weight, op, nameof(weight), "[C_in, C_out / groups, kH, kW]", 4);
                if (groups < 1) throw new ArgumentException($"{op}: groups must be positive, got {groups}.", nameof(groups));
                var channels = input.size(input.dim() == 4 ? 1 : 0);
                if (channels != weight.size(0))
                    throw new ArgumentException(
                        $"{op}: input has {channels} channels but weight {Tensor.ShapeString(weight.shape)} expects {weight.size(0)} (weight.size(0)).", nameof(input));
                var s = (stride ?? 1).AtLeast(1, op, nameof(stride));
                var p = (padding ?? 0).AtLeast(0, op, nameof(padding));
                var op2 = (output_padding ?? 0).AtLeast(0, op, nameof(output_padding));
                var d = (dilation ?? 1).AtLeast(1, op, nameof(dilation));
                return Wrap(NativeMethods.us3l_conv_transpose2d(input.Handle, weight.Handle, bias.HandleOrNull(), s.H, s.W, p.H, p.W, op2.H, op2.W,
                    groups, d.H, d.W));
            }

            private static (IntPair Stride, IntPair Dilation) CheckConv2d(string op, Tensor input, Tensor weight, IntPair? stride,
                IntPair? dilation, long groups)
            {
                RequireDims(input, op, nameof(input), "[N, C_in, H, W] or [C_in, H, W]", 3, 4);
                RequireDims(weight, op, nameof(weight), "[C_out, C_in / groups, kH, kW]", 4);
                if (groups < 1) throw new ArgumentException($"{op}: groups must be positive, got {groups}.", nameof(groups));
                var channels = input.size(input.dim() == 4 ? 1 : 0);
                if (channels != weight.size(1) * groups)
                    throw new ArgumentException(
                        $"{op}: input has {channels} channels but weight {Tensor.ShapeString(weight.shape)} with groups={groups} expects {weight.size(1) * groups} (weight.size(1) * groups).",
                        nameof(input));
                if (weight.size(0) % groups != 0)
                    throw new ArgumentException($"{op}: out channels {weight.size(0)} must be divisible by groups={groups}.", nameof(weight));
                return ((stride ?? 1).AtLeast(1, op, nameof(stride)), (dilation ?? 1).AtLeast(1, op, nameof(dilation)));
            }
        }
    }
}
