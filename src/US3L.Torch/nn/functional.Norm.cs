using US3L.Torch.Native;

namespace US3L.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Normalization layers as functions: batch, layer and group norm.</summary>
        public static partial class functional
        {
            /// <summary>
            /// Batch normalization over every dimension but the channel dimension 1. input [N, C, *];
            /// running_mean, running_var, weight, bias [C]. With <paramref name="training"/> the batch
            /// statistics are used and, when running statistics are given, they are updated in place:
            /// running = (1 - momentum) * running + momentum * batch (unbiased variance). Without
            /// training the running statistics are used and must be given.
            /// </summary>
            public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null, Tensor? bias = null,
                bool training = false, double momentum = 0.1, double eps = 1e-5)
            {
                const string op = "batch_norm";
                if (input.dim() < 2)
                    throw new ArgumentException($"{op}: input must be at least 2-D ([N, C, *]), got shape {Tensor.ShapeString(input.shape)}.", nameof(input));
                if ((running_mean is null) != (running_var is null))
                    throw new ArgumentException($"{op}: give both running_mean and running_var, or neither.");
                if (!training && running_mean is null)
                    throw new ArgumentException($"{op}: evaluation mode (training: false) needs running_mean and running_var.");
                var channels = input.size(1);
                foreach (var (t, name) in new[] { (running_mean, "running_mean"), (running_var, "running_var"), (weight, "weight"), (bias, "bias") })
                    if (t is not null && (t.dim() != 1 || t.size(0) != channels))
                        throw new ArgumentException($"{op}: {name} must have shape [{channels}] (the channel count of input), got {Tensor.ShapeString(t.shape)}.", name);
                // PyTorch refuses a single value per channel in training: its variance is undefined.
                if (training && input.numel() / channels <= 1)
                    throw new ArgumentException($"{op}: expected more than 1 value per channel when training, got input shape {Tensor.ShapeString(input.shape)}.", nameof(input));
                return Wrap(NativeMethods.us3l_batch_norm(input.Handle, running_mean.HandleOrNull(), running_var.HandleOrNull(), weight.HandleOrNull(),
                    bias.HandleOrNull(), training ? 1 : 0, momentum, eps));
            }

            /// <summary>Normalizes over the trailing dimensions given by <paramref name="normalized_shape"/>; weight and bias have that shape.</summary>
            public static unsafe Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                var shape = input.shape;
                var n = normalized_shape.Length;
                if (n == 0 || n > shape.Length || !shape.AsSpan(shape.Length - n).SequenceEqual(normalized_shape))
                    throw new ArgumentException(
                        $"layer_norm: normalized_shape {Tensor.ShapeString(normalized_shape)} must match the trailing dimensions of input {Tensor.ShapeString(shape)}.",
                        nameof(normalized_shape));
                fixed (long* p = normalized_shape)
                    return Wrap(NativeMethods.us3l_layer_norm(input.Handle, p, n, weight.HandleOrNull(), bias.HandleOrNull(), eps));
            }

            /// <summary>Layer normalization over the last dimension of size <paramref name="normalized_shape"/>.</summary>
            public static Tensor layer_norm(Tensor input, long normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
                layer_norm(input, new[] { normalized_shape }, weight, bias, eps);

            /// <summary>Group normalization. input [N, C, *] with C divisible by num_groups; weight, bias [C].</summary>
            public static Tensor group_norm(Tensor input, long num_groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                if (input.dim() < 2)
                    throw new ArgumentException($"group_norm: input must be at least 2-D ([N, C, *]), got shape {Tensor.ShapeString(input.shape)}.", nameof(input));
                var channels = input.size(1);
                if (num_groups < 1 || channels % num_groups != 0)
                    throw new ArgumentException($"group_norm: num_groups must be a positive divisor of the channel count {channels}, got {num_groups}.", nameof(num_groups));
                return Wrap(NativeMethods.us3l_group_norm(input.Handle, num_groups, weight.HandleOrNull(), bias.HandleOrNull(), eps));
            }
        }
    }
}
