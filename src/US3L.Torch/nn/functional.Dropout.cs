using US3L.Torch.Native;

namespace US3L.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Dropout.</summary>
        public static partial class functional
        {
            /// <summary>
            /// In training, zeroes each element with probability <paramref name="p"/> and scales the rest
            /// by 1 / (1 - p), drawing from the default generator (seed it with torch.manual_seed);
            /// otherwise returns the input unchanged.
            /// </summary>
            public static Tensor dropout(Tensor input, double p = 0.5, bool training = true)
            {
                if (p is < 0 or > 1 || double.IsNaN(p))
                    throw new ArgumentException($"dropout: probability p must be between 0 and 1, got {p}.", nameof(p));
                return Wrap(NativeMethods.us3l_dropout(input.Handle, p, training ? 1 : 0));
            }
        }
    }
}
