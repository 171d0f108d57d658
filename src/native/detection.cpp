// Detection ops: RoIAlign (forward, backward, and an autograd node joining the two) and greedy
// non-maximum suppression, single and per class. The semantics are torchvision.ops' (0.14); the
// kernels are the kit's own (science.md 10.1). CPU kernels only: CUDA tensors take a round trip
// through CPU memory, which is correct but slow.
#include "shim.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <map>

using namespace us3l;

namespace {

// ---- RoIAlign ------------------------------------------------------------------------------------

// One bilinear sample: the offsets of its four neighbours within a channel plane, and their
// weights. A sample outside the feature map has zero weights (and offsets 0).
template <typename T>
struct Sample {
  int32_t p1, p2, p3, p4;
  T w1, w2, w3, w4;
};

// Everything about one RoI that does not depend on the channel: its image, the divisor of each
// bin's sum, and grid_h * grid_w samples for every output bin, bins in row-major order.
template <typename T>
struct RoiSamples {
  int64_t image = 0;
  int64_t per_bin = 0;
  T count = 1;
  std::vector<Sample<T>> samples;

  void build(const T* roi, T spatial_scale, int64_t height, int64_t width, int64_t pooled_h, int64_t pooled_w,
             int64_t sampling_ratio, bool aligned) {
    image = static_cast<int64_t>(roi[0]);
    // aligned: a box edge at pixel coordinate x lies at x * scale - 0.5 in sample space, so a
    // sample at an integer position reads a pixel centre (Detectron2's RoIAlignV2).
    const T offset = aligned ? T(0.5) : T(0);
    const T x0 = roi[1] * spatial_scale - offset;
    const T y0 = roi[2] * spatial_scale - offset;
    T roi_w = roi[3] * spatial_scale - offset - x0;
    T roi_h = roi[4] * spatial_scale - offset - y0;
    if (!aligned) {
      // The legacy mode stretches degenerate boxes to one feature pixel.
      roi_w = std::max(roi_w, T(1));
      roi_h = std::max(roi_h, T(1));
    }
    const T bin_h = roi_h / static_cast<T>(pooled_h);
    const T bin_w = roi_w / static_cast<T>(pooled_w);
    // sampling_ratio <= 0: as many samples per bin as the bin spans feature pixels (rounded up).
    const int64_t grid_h = std::max<int64_t>(
        0, sampling_ratio > 0 ? sampling_ratio : static_cast<int64_t>(std::ceil(roi_h / static_cast<T>(pooled_h))));
    const int64_t grid_w = std::max<int64_t>(
        0, sampling_ratio > 0 ? sampling_ratio : static_cast<int64_t>(std::ceil(roi_w / static_cast<T>(pooled_w))));
    per_bin = grid_h * grid_w;
    count = static_cast<T>(std::max<int64_t>(per_bin, 1));

    samples.resize(pooled_h * pooled_w * per_bin);
    auto* out = samples.data();
    for (int64_t ph = 0; ph < pooled_h; ++ph)
      for (int64_t pw = 0; pw < pooled_w; ++pw)
        for (int64_t iy = 0; iy < grid_h; ++iy) {
          const T y = y0 + ph * bin_h + static_cast<T>(iy + .5f) * bin_h / static_cast<T>(grid_h);
          for (int64_t ix = 0; ix < grid_w; ++ix) {
            const T x = x0 + pw * bin_w + static_cast<T>(ix + .5f) * bin_w / static_cast<T>(grid_w);
            *out++ = sample(y, x, height, width);
          }
        }
  }

 private:
  // Bilinear weights at (y, x). Points more than one pixel outside the map contribute nothing;
  // points within that margin are clamped to the border pixels.
  static Sample<T> sample(T y, T x, int64_t height, int64_t width) {
    if (!(y >= -1 && y <= height && x >= -1 && x <= width)) return {0, 0, 0, 0, 0, 0, 0, 0};  // NaN too
    if (y <= 0) y = 0;
    if (x <= 0) x = 0;
    int64_t y_lo = static_cast<int64_t>(y), x_lo = static_cast<int64_t>(x), y_hi, x_hi;
    if (y_lo >= height - 1) {
      y_hi = y_lo = height - 1;
      y = static_cast<T>(y_lo);
    } else {
      y_hi = y_lo + 1;
    }
    if (x_lo >= width - 1) {
      x_hi = x_lo = width - 1;
      x = static_cast<T>(x_lo);
    } else {
      x_hi = x_lo + 1;
    }
    const T ly = y - y_lo, lx = x - x_lo, hy = 1 - ly, hx = 1 - lx;
    return {static_cast<int32_t>(y_lo * width + x_lo), static_cast<int32_t>(y_lo * width + x_hi),
            static_cast<int32_t>(y_hi * width + x_lo), static_cast<int32_t>(y_hi * width + x_hi),
            hy * hx, hy * lx, ly * hx, ly * lx};
  }
};

struct RoiAlignArgs {
  double spatial_scale;
  int64_t pooled_h, pooled_w, sampling_ratio;
  bool aligned;
};

// input [N, C, H, W] and rois [K, 5] (image index, x1, y1, x2, y2), both contiguous CPU tensors of
// one floating dtype. Every RoI's image index must already be checked.
at::Tensor roi_align_forward_cpu(const at::Tensor& input, const at::Tensor& rois, const RoiAlignArgs& a) {
  const int64_t K = rois.size(0), C = input.size(1), H = input.size(2), W = input.size(3);
  // Every element is written below, so the output needs no zero fill.
  auto output = at::empty({K, C, a.pooled_h, a.pooled_w}, input.options());
  if (output.numel() == 0) return output;
  AT_DISPATCH_FLOATING_TYPES(input.scalar_type(), "roi_align_forward", [&] {
    const scalar_t* in = input.data_ptr<scalar_t>();
    const scalar_t* r = rois.data_ptr<scalar_t>();
    scalar_t* out = output.data_ptr<scalar_t>();
    const int64_t bins = a.pooled_h * a.pooled_w;
    // One RoI per task: its samples are computed once and reused by every channel.
    at::parallel_for(0, K, 1, [&](int64_t begin, int64_t end) {
      RoiSamples<scalar_t> s;
      for (int64_t k = begin; k < end; ++k) {
        s.build(r + 5 * k, static_cast<scalar_t>(a.spatial_scale), H, W, a.pooled_h, a.pooled_w, a.sampling_ratio,
                a.aligned);
        for (int64_t c = 0; c < C; ++c) {
          const scalar_t* plane = in + (s.image * C + c) * H * W;
          scalar_t* o = out + (k * C + c) * bins;
          const Sample<scalar_t>* p = s.samples.data();
          for (int64_t b = 0; b < bins; ++b) {
            scalar_t sum = 0;
            for (int64_t i = 0; i < s.per_bin; ++i, ++p)
              sum += p->w1 * plane[p->p1] + p->w2 * plane[p->p2] + p->w3 * plane[p->p3] + p->w4 * plane[p->p4];
            o[b] = sum / s.count;
          }
        }
      }
    });
  });
  return output;
}

// The gradient with respect to the input: every sample spreads its bin's gradient over its four
// neighbours. Tasks own disjoint channel ranges, so no two threads write the same element.
at::Tensor roi_align_backward_cpu(const at::Tensor& grad, const at::Tensor& rois, at::IntArrayRef input_shape,
                                  const RoiAlignArgs& a) {
  const int64_t K = rois.size(0), C = input_shape[1], H = input_shape[2], W = input_shape[3];
  auto grad_input = at::zeros(input_shape, grad.options());
  if (grad.numel() == 0 || grad_input.numel() == 0) return grad_input;
  AT_DISPATCH_FLOATING_TYPES(grad.scalar_type(), "roi_align_backward", [&] {
    const scalar_t* g = grad.data_ptr<scalar_t>();
    const scalar_t* r = rois.data_ptr<scalar_t>();
    scalar_t* gi = grad_input.data_ptr<scalar_t>();
    const int64_t bins = a.pooled_h * a.pooled_w;
    at::parallel_for(0, C, 1, [&](int64_t c_begin, int64_t c_end) {
      RoiSamples<scalar_t> s;
      for (int64_t k = 0; k < K; ++k) {
        s.build(r + 5 * k, static_cast<scalar_t>(a.spatial_scale), H, W, a.pooled_h, a.pooled_w, a.sampling_ratio,
                a.aligned);
        for (int64_t c = c_begin; c < c_end; ++c) {
          scalar_t* plane = gi + (s.image * C + c) * H * W;
          const scalar_t* go = g + (k * C + c) * bins;
          const Sample<scalar_t>* p = s.samples.data();
          for (int64_t b = 0; b < bins; ++b) {
            const scalar_t share = go[b] / s.count;
            for (int64_t i = 0; i < s.per_bin; ++i, ++p) {
              plane[p->p1] += share * p->w1;
              plane[p->p2] += share * p->w2;
              plane[p->p3] += share * p->w3;
              plane[p->p4] += share * p->w4;
            }
          }
        }
      }
    });
  });
  return grad_input;
}

// Checks shapes and image indices; returns the RoIs as a contiguous CPU tensor of the input's dtype.
at::Tensor checked_rois(const at::Tensor& input, const at::Tensor& rois) {
  TORCH_CHECK(input.dim() == 4, "input must be [N, C, H, W], got ", input.sizes());
  TORCH_CHECK(input.is_floating_point(), "input must be floating point, got ", input.scalar_type());
  TORCH_CHECK(input.scalar_type() == at::kFloat || input.scalar_type() == at::kDouble,
              "input must be float32 or float64, got ", input.scalar_type());
  TORCH_CHECK(rois.dim() == 2 && rois.size(1) == 5, "rois must be [K, 5] (image index, x1, y1, x2, y2), got ",
              rois.sizes());
  TORCH_CHECK(input.size(2) * input.size(3) < (int64_t(1) << 31), "feature maps above 2^31 pixels are not supported, got ",
              input.sizes());
  auto r = rois.detach().to(at::kCPU, input.scalar_type()).contiguous();
  if (r.size(0) > 0) {
    auto images = r.select(1, 0);
    const double lo = images.min().item<double>(), hi = images.max().item<double>();
    TORCH_CHECK(lo >= 0 && hi < static_cast<double>(input.size(0)) && std::isfinite(lo) && std::isfinite(hi),
                "rois[:, 0] must hold image indices in [0, ", input.size(0), "), got values in [", lo, ", ", hi, "]");
  }
  return r;
}

class RoiAlignFunction : public torch::autograd::Function<RoiAlignFunction> {
 public:
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, const at::Tensor& input,
                                                const at::Tensor& rois, double spatial_scale, int64_t pooled_h,
                                                int64_t pooled_w, int64_t sampling_ratio, bool aligned) {
    const RoiAlignArgs a{spatial_scale, pooled_h, pooled_w, sampling_ratio, aligned};
    auto r = checked_rois(input, rois);
    ctx->save_for_backward({r});
    ctx->saved_data["input_shape"] = input.sizes().vec();
    ctx->saved_data["spatial_scale"] = spatial_scale;
    ctx->saved_data["pooled_h"] = pooled_h;
    ctx->saved_data["pooled_w"] = pooled_w;
    ctx->saved_data["sampling_ratio"] = sampling_ratio;
    ctx->saved_data["aligned"] = aligned;
    auto out = roi_align_forward_cpu(input.to(at::kCPU).contiguous(), r, a);
    return {out.to(input.device())};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const RoiAlignArgs a{ctx->saved_data["spatial_scale"].toDouble(), ctx->saved_data["pooled_h"].toInt(),
                         ctx->saved_data["pooled_w"].toInt(), ctx->saved_data["sampling_ratio"].toInt(),
                         ctx->saved_data["aligned"].toBool()};
    auto r = ctx->get_saved_variables()[0];
    auto shape = ctx->saved_data["input_shape"].toIntVector();
    const auto& g = grads[0];
    auto grad_input = roi_align_backward_cpu(g.to(at::kCPU).contiguous(), r, shape, a).to(g.device());
    return {grad_input, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

// ---- non-maximum suppression --------------------------------------------------------------------

// Greedy NMS over CPU boxes [N, 4] (x1, y1, x2, y2): visits boxes by decreasing score and drops every
// later box whose IoU with a kept one exceeds the threshold. The visiting order is a stable sort by
// descending score, as in torchvision's kernel: equal scores are visited in index order.
at::Tensor nms_cpu(const at::Tensor& boxes, const at::Tensor& scores, double iou_threshold) {
  if (boxes.size(0) == 0) return at::empty({0}, boxes.options().dtype(at::kLong));
  auto keep = at::empty({boxes.size(0)}, boxes.options().dtype(at::kLong));
  int64_t kept = 0;
  AT_DISPATCH_FLOATING_TYPES(boxes.scalar_type(), "nms", [&] {
    auto x1_t = boxes.select(1, 0).contiguous(), y1_t = boxes.select(1, 1).contiguous();
    auto x2_t = boxes.select(1, 2).contiguous(), y2_t = boxes.select(1, 3).contiguous();
    auto areas_t = (x2_t - x1_t) * (y2_t - y1_t);
    auto order_t = std::get<1>(scores.sort(/*stable=*/true, /*dim=*/0, /*descending=*/true));
    const scalar_t *x1 = x1_t.data_ptr<scalar_t>(), *y1 = y1_t.data_ptr<scalar_t>();
    const scalar_t *x2 = x2_t.data_ptr<scalar_t>(), *y2 = y2_t.data_ptr<scalar_t>();
    const scalar_t* areas = areas_t.data_ptr<scalar_t>();
    const int64_t* order = order_t.data_ptr<int64_t>();
    int64_t* out = keep.data_ptr<int64_t>();
    const int64_t n = boxes.size(0);
    std::vector<char> suppressed(n, 0);
    for (int64_t a = 0; a < n; ++a) {
      const int64_t i = order[a];
      if (suppressed[i]) continue;
      out[kept++] = i;
      for (int64_t b = a + 1; b < n; ++b) {
        const int64_t j = order[b];
        if (suppressed[j]) continue;
        const scalar_t w = std::max(scalar_t(0), std::min(x2[i], x2[j]) - std::max(x1[i], x1[j]));
        const scalar_t h = std::max(scalar_t(0), std::min(y2[i], y2[j]) - std::max(y1[i], y1[j]));
        const scalar_t inter = w * h;
        if (inter / (areas[i] + areas[j] - inter) > iou_threshold) suppressed[j] = 1;
      }
    }
  });
  return keep.narrow(0, 0, kept);
}

void check_nms_inputs(const at::Tensor& boxes, const at::Tensor& scores) {
  TORCH_CHECK(boxes.dim() == 2 && boxes.size(1) == 4, "boxes must be [N, 4] (x1, y1, x2, y2), got ", boxes.sizes());
  TORCH_CHECK(boxes.scalar_type() == at::kFloat || boxes.scalar_type() == at::kDouble,
              "boxes must be float32 or float64, got ", boxes.scalar_type());
  TORCH_CHECK(scores.dim() == 1 && scores.size(0) == boxes.size(0), "scores must be [", boxes.size(0), "], got ",
              scores.sizes());
}

// torchvision's batched_nms: one NMS per class. Up to 1000 boxes (5000 for GPU tensors) it shifts
// each class's boxes by class * (max coordinate + 1), so that classes cannot overlap, and runs one
// NMS; above that it runs NMS class by class and orders the union by score. Both paths are
// reproduced step for step, so ties and floating-point rounding come out as in torchvision.
at::Tensor batched_nms_cpu(const at::Tensor& boxes, const at::Tensor& scores, const at::Tensor& idxs,
                           double iou_threshold, bool on_gpu) {
  if (boxes.numel() == 0) return at::empty({0}, boxes.options().dtype(at::kLong));
  if (boxes.numel() <= (on_gpu ? 20000 : 4000)) {
    auto max_coordinate = boxes.max();
    auto offsets = idxs.to(boxes.scalar_type()) * (max_coordinate + at::ones({}, boxes.options()));
    return nms_cpu(boxes + offsets.unsqueeze(1), scores, iou_threshold);
  }
  std::map<int64_t, std::vector<int64_t>> members;  // class -> its box indices, ascending
  const auto classes = idxs.to(at::kLong).contiguous();
  const int64_t* cls = classes.data_ptr<int64_t>();
  for (int64_t i = 0; i < classes.size(0); ++i) members[cls[i]].push_back(i);
  std::vector<char> keep_mask(boxes.size(0), 0);
  for (auto& [label, indices] : members) {
    auto index = at::from_blob(indices.data(), {static_cast<int64_t>(indices.size())}, at::kLong);
    auto kept = nms_cpu(boxes.index_select(0, index), scores.index_select(0, index), iou_threshold);
    const int64_t* k = kept.data_ptr<int64_t>();
    for (int64_t i = 0; i < kept.size(0); ++i) keep_mask[indices[k[i]]] = 1;
  }
  std::vector<int64_t> kept;
  for (int64_t i = 0; i < boxes.size(0); ++i)
    if (keep_mask[i]) kept.push_back(i);
  auto keep = at::tensor(kept, at::kLong);
  // torchvision sorts the union with torch's default (unstable) sort; so does this.
  auto order = std::get<1>(scores.index_select(0, keep).sort(-1, /*descending=*/true));
  return keep.index_select(0, order);
}

}  // namespace

// rois: [K, 5] rows (image index, x1, y1, x2, y2) in input pixel coordinates; returns [K, C, ph, pw]
// with a gradient for the input (none for the boxes).
US3L_API tensor_t us3l_roi_align(tensor_t input, tensor_t rois, double spatial_scale, int64_t pooled_h,
                                 int64_t pooled_w, int64_t sampling_ratio, int aligned) {
  return tensor_op("roi_align", {input, rois}, [&] {
    TORCH_CHECK(pooled_h > 0 && pooled_w > 0, "output_size must be positive, got ", pooled_h, "x", pooled_w);
    TORCH_CHECK(std::isfinite(spatial_scale) && spatial_scale > 0, "spatial_scale must be positive, got ",
                spatial_scale);
    return RoiAlignFunction::apply(*input, *rois, spatial_scale, pooled_h, pooled_w, sampling_ratio, aligned != 0)[0];
  });
}

// Indices of the kept boxes, by decreasing score (int64, on the boxes' device).
US3L_API tensor_t us3l_nms(tensor_t boxes, tensor_t scores, double iou_threshold) {
  return tensor_op("nms", {boxes, scores}, [&] {
    check_nms_inputs(*boxes, *scores);
    at::NoGradGuard no_grad;
    auto b = boxes->to(at::kCPU).contiguous();
    return nms_cpu(b, scores->to(at::kCPU, b.scalar_type()), iou_threshold).to(boxes->device());
  });
}

US3L_API tensor_t us3l_batched_nms(tensor_t boxes, tensor_t scores, tensor_t idxs, double iou_threshold) {
  return tensor_op("batched_nms", {boxes, scores, idxs}, [&] {
    check_nms_inputs(*boxes, *scores);
    TORCH_CHECK(idxs->dim() == 1 && idxs->size(0) == boxes->size(0), "idxs must be [", boxes->size(0), "], got ",
                idxs->sizes());
    at::NoGradGuard no_grad;
    auto b = boxes->to(at::kCPU).contiguous();
    return batched_nms_cpu(b, scores->to(at::kCPU, b.scalar_type()), idxs->to(at::kCPU), iou_threshold,
                           !boxes->is_cpu())
        .to(boxes->device());
  });
}
