using US3L.Torch.Native;

namespace US3L.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Vector normalization and similarity, the building blocks of contrastive SSL losses.</summary>
        public static partial class functional
        {
            /// <summary>x / max(‖x‖_p, eps) along <paramref name="dim"/>.</summary>
            public static Tensor normalize(Tensor input, double p = 2.0, long dim = 1, double eps = 1e-12) =>
                Wrap(NativeMethods.us3l_normalize(input.Handle, p, dim, eps));

            /// <summary>
            /// Cosine of the angle between x1 and x2 along <paramref name="dim"/> (inputs broadcast);
            /// the result drops that dimension.
            /// </summary>
            public static Tensor cosine_similarity(Tensor x1, Tensor x2, long dim = 1, double eps = 1e-8) =>
                Wrap(NativeMethods.us3l_cosine_similarity(x1.Handle, x2.Handle, dim, eps));
        }
    }
}
