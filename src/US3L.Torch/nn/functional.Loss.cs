using US3L.Torch.Native;

namespace US3L.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// Loss functions. <c>reduction</c> is "mean" (default), "sum" or "none" (per-element losses).
        /// </summary>
        public static partial class functional
        {
            /// <summary>
            /// Cross entropy of logits. input [N, C] (or [N, C, d1, ...], or [C]); target either class
            /// indices (int64, [N] or [N, d1, ...], entries equal to <paramref name="ignore_index"/> are
            /// skipped) or class probabilities (floating, same shape as input). weight [C] rescales
            /// classes; label_smoothing in [0, 1] mixes the target with the uniform distribution.
            /// "mean" over index targets divides by the summed weights of the non-ignored targets.
            /// </summary>
            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100,
                string reduction = "mean", double label_smoothing = 0.0)
            {
                const string op = "cross_entropy";
                var code = ReductionCode(reduction, op);
                if (label_smoothing is < 0 or > 1 || double.IsNaN(label_smoothing))
                    throw new ArgumentException($"{op}: label_smoothing must be between 0 and 1, got {label_smoothing}.", nameof(label_smoothing));
                if (input.dim() == 0)
                    throw new ArgumentException($"{op}: input must hold class scores ([N, C] or [C]), got a scalar.", nameof(input));
                var classes = input.size(input.dim() == 1 ? 0 : 1);
                if (weight is not null && (weight.dim() != 1 || weight.size(0) != classes))
                    throw new ArgumentException($"{op}: weight must have shape [{classes}] (one per class), got {Tensor.ShapeString(weight.shape)}.", nameof(weight));
                if (target.is_floating_point())
                {
                    if (!target.shape.SequenceEqual(input.shape))
                        throw new ArgumentException(
                            $"{op}: probability targets must have the input's shape {Tensor.ShapeString(input.shape)}, got {Tensor.ShapeString(target.shape)}.", nameof(target));
                }
                else if (target.dtype != ScalarType.Int64)
                {
                    throw new ArgumentException($"{op}: class-index targets must be int64, got {target.dtype.Name()}.", nameof(target));
                }
                return Wrap(NativeMethods.us3l_cross_entropy(input.Handle, target.Handle, weight.HandleOrNull(), code, ignore_index, label_smoothing));
            }

            /// <summary>Negative log likelihood of log-probabilities. input [N, C, *]; target int64 [N, *].</summary>
            public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, string reduction = "mean")
            {
                var code = ReductionCode(reduction, "nll_loss");
                if (target.dtype != ScalarType.Int64)
                    throw new ArgumentException($"nll_loss: targets must be int64 class indices, got {target.dtype.Name()}.", nameof(target));
                return Wrap(NativeMethods.us3l_nll_loss(input.Handle, target.Handle, weight.HandleOrNull(), code, ignore_index));
            }

            /// <summary>(input - target)², reduced.</summary>
            public static Tensor mse_loss(Tensor input, Tensor target, string reduction = "mean") =>
                Wrap(NativeMethods.us3l_mse_loss(input.Handle, target.Handle, ReductionCode(reduction, "mse_loss")));

            /// <summary>|input - target|, reduced.</summary>
            public static Tensor l1_loss(Tensor input, Tensor target, string reduction = "mean") =>
                Wrap(NativeMethods.us3l_l1_loss(input.Handle, target.Handle, ReductionCode(reduction, "l1_loss")));

            /// <summary>Huber-like loss: 0.5 d² / beta where |d| &lt; beta, else |d| - 0.5 beta (beta = 0 gives L1).</summary>
            public static Tensor smooth_l1_loss(Tensor input, Tensor target, string reduction = "mean", double beta = 1.0)
            {
                if (beta < 0) throw new ArgumentException($"smooth_l1_loss: beta must be non-negative, got {beta}.", nameof(beta));
                return Wrap(NativeMethods.us3l_smooth_l1_loss(input.Handle, target.Handle, ReductionCode(reduction, "smooth_l1_loss"), beta));
            }

            /// <summary>
            /// Sigmoid + binary cross entropy in one stable step. target in [0, 1] with the input's
            /// shape; weight rescales elements; pos_weight (broadcast over the last dimension, one per
            /// class) rescales the positive term.
            /// </summary>
            public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null, string reduction = "mean",
                Tensor? pos_weight = null)
            {
                const string op = "binary_cross_entropy_with_logits";
                var code = ReductionCode(reduction, op);
                if (!target.shape.SequenceEqual(input.shape))
                    throw new ArgumentException(
                        $"{op}: target shape {Tensor.ShapeString(target.shape)} must equal input shape {Tensor.ShapeString(input.shape)}.", nameof(target));
                return Wrap(NativeMethods.us3l_binary_cross_entropy_with_logits(input.Handle, target.Handle, weight.HandleOrNull(),
                    pos_weight.HandleOrNull(), code));
            }

            /// <summary>
            /// KL(target ‖ exp(input)) for log-probabilities <paramref name="input"/>. reduction also takes
            /// "batchmean" (sum divided by the batch size), the mathematically correct KL mean.
            /// </summary>
            public static Tensor kl_div(Tensor input, Tensor target, string reduction = "mean", bool log_target = false)
            {
                if (reduction != "batchmean")
                    return Wrap(NativeMethods.us3l_kl_div(input.Handle, target.Handle, ReductionCode(reduction, "kl_div"), log_target ? 1 : 0));
                using var sum = Wrap(NativeMethods.us3l_kl_div(input.Handle, target.Handle, 2, log_target ? 1 : 0));
                return input.dim() == 0 ? sum.alias() : sum / input.size(0);
            }

            /// <summary>
            /// int64 class indices [*] to a one-hot int64 tensor [*, num_classes]; num_classes = -1
            /// uses max(input) + 1.
            /// </summary>
            public static Tensor one_hot(Tensor tensor, long num_classes = -1)
            {
                if (tensor.dtype != ScalarType.Int64)
                    throw new ArgumentException($"one_hot: class indices must be int64, got {tensor.dtype.Name()}.", nameof(tensor));
                if (num_classes < -1 || num_classes == 0)
                    throw new ArgumentException($"one_hot: num_classes must be positive or -1 (infer), got {num_classes}.", nameof(num_classes));
                return Wrap(NativeMethods.us3l_one_hot(tensor.Handle, num_classes));
            }
        }
    }
}
