using US3L.Torch.Native;

namespace US3L.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Padding.</summary>
        public static partial class functional
        {
            /// <summary>
            /// Pads the last dimensions: <paramref name="pad"/> = (left, right, top, bottom, ...) from the
            /// last dimension backwards. mode: "constant" (with <paramref name="value"/>), "reflect",
            /// "replicate" or "circular"; the last three pad the trailing 1-3 dims of a batched input.
            /// </summary>
            public static unsafe Tensor pad(Tensor input, long[] pad, string mode = "constant", double value = 0)
            {
                const string op = "pad";
                if (pad.Length % 2 != 0 || pad.Length / 2 > input.dim())
                    throw new ArgumentException(
                        $"{op}: pad must hold (before, after) pairs for at most {input.dim()} dims of input {Tensor.ShapeString(input.shape)}, got {pad.Length} values.",
                        nameof(pad));
                if (mode is not ("constant" or "reflect" or "replicate" or "circular"))
                    throw new ArgumentException($"{op}: mode must be \"constant\", \"reflect\", \"replicate\" or \"circular\", got \"{mode}\".", nameof(mode));
                if (mode != "constant" && value != 0)
                    throw new ArgumentException($"{op}: a fill value applies only to \"constant\" mode, not \"{mode}\".", nameof(value));
                fixed (long* p = pad)
                    return Wrap(NativeMethods.us3l_pad(input.Handle, p, pad.Length, mode, value));
            }
        }
    }
}
