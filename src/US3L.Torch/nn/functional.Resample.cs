using US3L.Torch.Native;

namespace US3L.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Resampling of [N, C, H, W] images: interpolate, grid_sample, affine_grid.</summary>
        public static partial class functional
        {
            /// <summary>
            /// Resizes to <paramref name="size"/> or by <paramref name="scale_factor"/> (exactly one; each an
            /// int/double or an (h, w) pair). mode: "nearest", "nearest-exact", "bilinear" or "bicubic".
            /// align_corners (bilinear and bicubic only, default false) maps corner pixel centres onto
            /// each other. With a scale factor the output is floor(in * scale) and sampling uses the
            /// scale itself, as PyTorch does.
            /// </summary>
            public static Tensor interpolate(Tensor input, IntPair? size = null, DoublePair? scale_factor = null, string mode = "nearest",
                bool? align_corners = null)
            {
                const string op = "interpolate";
                RequireDims(input, op, nameof(input), "[N, C, H, W]; only 2-D resizing is supported", 4);
                var code = mode switch
                {
                    "nearest" => InterpolateMode.Nearest,
                    "nearest-exact" => InterpolateMode.NearestExact,
                    "bilinear" => InterpolateMode.Bilinear,
                    "bicubic" => InterpolateMode.Bicubic,
                    _ => throw new ArgumentException($"{op}: mode must be \"nearest\", \"nearest-exact\", \"bilinear\" or \"bicubic\", got \"{mode}\".", nameof(mode)),
                };
                if (align_corners is not null && code is InterpolateMode.Nearest or InterpolateMode.NearestExact)
                    throw new ArgumentException($"{op}: align_corners applies only to \"bilinear\" and \"bicubic\", not \"{mode}\".", nameof(align_corners));
                if ((size is null) == (scale_factor is null))
                    throw new ArgumentException($"{op}: give exactly one of size and scale_factor.");
                if (size is { } s)
                {
                    s.AtLeast(1, op, nameof(size));
                    return Wrap(NativeMethods.us3l_interpolate(input.Handle, code, 1, s.H, s.W, 0, 0, align_corners == true ? 1 : 0));
                }
                var (sh, sw) = scale_factor!.Value;
                if (!(sh > 0 && sw > 0) || double.IsInfinity(sh) || double.IsInfinity(sw))
                    throw new ArgumentException($"{op}: scale_factor must be positive and finite, got ({sh}, {sw}).", "scale_factor");
                return Wrap(NativeMethods.us3l_interpolate(input.Handle, code, 0, 0, 0, sh, sw, align_corners == true ? 1 : 0));
            }

            /// <summary>
            /// Samples input [N, C, H_in, W_in] at grid [N, H_out, W_out, 2] locations (x, y) in [-1, 1].
            /// mode: "bilinear", "nearest" or "bicubic"; padding_mode for outside locations: "zeros",
            /// "border" or "reflection". align_corners default false, as PyTorch.
            /// </summary>
            public static Tensor grid_sample(Tensor input, Tensor grid, string mode = "bilinear", string padding_mode = "zeros", bool? align_corners = null)
            {
                const string op = "grid_sample";
                RequireDims(input, op, nameof(input), "[N, C, H, W]", 4);
                RequireDims(grid, op, nameof(grid), "[N, H_out, W_out, 2]", 4);
                if (grid.size(0) != input.size(0) || grid.size(3) != 2)
                    throw new ArgumentException(
                        $"{op}: grid must be [N, H_out, W_out, 2] with N = {input.size(0)} (the input's batch), got {Tensor.ShapeString(grid.shape)}.", nameof(grid));
                long m = mode switch
                {
                    "bilinear" => 0,
                    "nearest" => 1,
                    "bicubic" => 2,
                    _ => throw new ArgumentException($"{op}: mode must be \"bilinear\", \"nearest\" or \"bicubic\", got \"{mode}\".", nameof(mode)),
                };
                long p = padding_mode switch
                {
                    "zeros" => 0,
                    "border" => 1,
                    "reflection" => 2,
                    _ => throw new ArgumentException($"{op}: padding_mode must be \"zeros\", \"border\" or \"reflection\", got \"{padding_mode}\".", nameof(padding_mode)),
                };
                return Wrap(NativeMethods.us3l_grid_sample(input.Handle, grid.Handle, m, p, align_corners == true ? 1 : 0));
            }

            /// <summary>
            /// The sampling grid [N, H, W, 2] of affine matrices theta [N, 2, 3] for an output of
            /// size (N, C, H, W); feed it to grid_sample.
            /// </summary>
            public static unsafe Tensor affine_grid(Tensor theta, long[] size, bool? align_corners = null)
            {
                const string op = "affine_grid";
                if (size.Length != 4)
                    throw new ArgumentException($"{op}: size must be (N, C, H, W), got {Tensor.ShapeString(size)}.", nameof(size));
                if (theta.dim() != 3 || theta.size(0) != size[0] || theta.size(1) != 2 || theta.size(2) != 3)
                    throw new ArgumentException($"{op}: theta must have shape [{size[0]}, 2, 3], got {Tensor.ShapeString(theta.shape)}.", nameof(theta));
                if (size.Any(v => v < 1))
                    throw new ArgumentException($"{op}: size must be positive, got {Tensor.ShapeString(size)}.", nameof(size));
                fixed (long* p = size)
                    return Wrap(NativeMethods.us3l_affine_grid(theta.Handle, p, size.Length, align_corners == true ? 1 : 0));
            }
        }
    }
}
