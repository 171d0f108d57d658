using US3L.Torch;

namespace US3L.Augmentation;

/// <summary>
/// Crops a different box out of every sample and resizes all of them to one size in two batched
/// matrix products, y = R_y · x · R_xᵀ, with per-sample interpolation matrices R_y [B, H_out, H]
/// and R_x [B, W_out, W]. The matrices hold exactly the taps and weights of PyTorch's
/// interpolate (align_corners = false) applied to the cropped image, including its clamping of
/// taps at the crop's edges, so the result equals crop-then-resize per sample (torchvision's
/// resized_crop on tensors, without antialiasing). Only the taps (2 or 4 per output row) travel to
/// the device; the matrices are assembled there with scatter_add.
/// </summary>
internal static class CropResize
{
    /// <summary>PyTorch's cubic convolution constant.</summary>
    private const double CubicA = -0.75;

    public static Tensor Apply(Tensor x, CropBox[] boxes, int height, int width, Interpolation interpolation)
    {
        if (boxes.Length != x.size(0))
            throw new ArgumentException($"CropResize: expected one box per sample ({x.size(0)}), got {boxes.Length}.", nameof(boxes));
        var rows = Matrix(boxes.Select(b => (b.Top, b.Height)).ToArray(), (int)x.size(2), height, interpolation, x);
        var columns = Matrix(boxes.Select(b => (b.Left, b.Width)).ToArray(), (int)x.size(3), width, interpolation, x);
        var y = rows.unsqueeze(1).matmul(x).matmul(columns.unsqueeze(1).transpose(-1, -2));
        // Bicubic overshoots; PIL (the reference pipelines' backend) clamps to the pixel range.
        return interpolation == Interpolation.Bicubic ? y.clamp_(0, 1) : y;
    }

    /// <summary>[B, outSize, inSize]: row o of sample b interpolates source positions start_b … start_b + length_b - 1.</summary>
    private static Tensor Matrix((int Start, int Length)[] spans, int inSize, int outSize, Interpolation interpolation, Tensor like)
    {
        var taps = interpolation == Interpolation.Bicubic ? 4 : 2;
        var batch = spans.Length;
        var index = new long[batch * outSize * taps];
        var weight = new float[batch * outSize * taps];
        Span<int> at = stackalloc int[4];
        Span<double> w = stackalloc double[4];
        for (var b = 0; b < batch; b++)
        {
            var (start, length) = spans[b];
            var scale = (double)length / outSize;
            for (var o = 0; o < outSize; o++)
            {
                var src = scale * (o + 0.5) - 0.5;
                if (interpolation == Interpolation.Bicubic) CubicTaps(src, length, at, w);
                else LinearTaps(src, length, at, w);
                for (var k = 0; k < taps; k++)
                {
                    var slot = (b * outSize + o) * taps + k;
                    index[slot] = start + at[k];
                    weight[slot] = (float)w[k];
                }
            }
        }
        var shape = new long[] { batch, outSize, taps };
        var indices = torch.tensor<long>(index, shape, like.device);
        var weights = torch.tensor<float>(weight, shape, like.device);
        return torch.zeros(new long[] { batch, outSize, inSize }, ScalarType.Float32, like.device).scatter_add(2, indices, weights);
    }

    /// <summary>upsample_bilinear2d: negative sources clamp to 0, the upper tap clamps to the last pixel.</summary>
    private static void LinearTaps(double src, int length, Span<int> at, Span<double> w)
    {
        src = Math.Max(src, 0);
        var i0 = (int)src;
        var lambda = src - i0;
        at[0] = Math.Min(i0, length - 1);
        at[1] = Math.Min(i0 + 1, length - 1);
        (w[0], w[1]) = (1 - lambda, lambda);
    }

    /// <summary>upsample_bicubic2d: taps floor(src) - 1 … + 2, each clamped into the crop.</summary>
    private static void CubicTaps(double src, int length, Span<int> at, Span<double> w)
    {
        var i = (int)Math.Floor(src);
        var t = src - i;
        for (var k = 0; k < 4; k++) at[k] = Math.Clamp(i - 1 + k, 0, length - 1);
        w[0] = Far(t + 1);
        w[1] = Near(t);
        w[2] = Near(1 - t);
        w[3] = Far(2 - t);
    }

    private static double Near(double t) => ((CubicA + 2) * t - (CubicA + 3)) * t * t + 1;
    private static double Far(double t) => ((CubicA * t - 5 * CubicA) * t + 8 * CubicA) * t - 4 * CubicA;
}
