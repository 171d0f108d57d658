// Spatial resampling of NCHW images: pooling, interpolate, grid_sample, affine_grid, pad.
#include "shim.h"

using namespace us3l;

US3L_API tensor_t us3l_max_pool2d(tensor_t x, int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                                  int64_t dh, int64_t dw, int ceil_mode) {
  return tensor_op("max_pool2d", {x}, [&] {
    return at::max_pool2d(*x, {kh, kw}, {sh, sw}, {ph, pw}, {dh, dw}, ceil_mode != 0);
  });
}

// divisor_override <= 0 means "none" (divide by the window size).
US3L_API tensor_t us3l_avg_pool2d(tensor_t x, int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                                  int ceil_mode, int count_include_pad, int64_t divisor_override) {
  return tensor_op("avg_pool2d", {x}, [&] {
    return at::avg_pool2d(*x, {kh, kw}, {sh, sw}, {ph, pw}, ceil_mode != 0, count_include_pad != 0,
                          divisor_override > 0 ? c10::optional<int64_t>(divisor_override) : c10::nullopt);
  });
}

US3L_API tensor_t us3l_adaptive_avg_pool2d(tensor_t x, int64_t oh, int64_t ow) {
  return tensor_op("adaptive_avg_pool2d", {x}, [&] { return at::adaptive_avg_pool2d(*x, {oh, ow}); });
}

US3L_API tensor_t us3l_adaptive_max_pool2d(tensor_t x, int64_t oh, int64_t ow) {
  return tensor_op("adaptive_max_pool2d", {x}, [&] { return std::get<0>(at::adaptive_max_pool2d(*x, {oh, ow})); });
}

enum InterpolateMode { I_NEAREST, I_BILINEAR, I_BICUBIC, I_NEAREST_EXACT };

// Either an output size (has_size) or scale factors are given, as in F.interpolate with
// recompute_scale_factor unset: the output size is floor(in * scale) and the kernel maps
// coordinates with the given scale, so fractional scales match PyTorch exactly.
US3L_API tensor_t us3l_interpolate(tensor_t x, int mode, int has_size, int64_t oh, int64_t ow, double scale_h,
                                   double scale_w, int align_corners) {
  return tensor_op("interpolate", {x}, [&] {
    std::vector<int64_t> size{oh, ow};
    std::vector<double> scales{scale_h, scale_w};
    at::OptionalIntArrayRef out_size = has_size ? at::OptionalIntArrayRef(size) : c10::nullopt;
    c10::optional<at::ArrayRef<double>> scale_factors =
        has_size ? c10::nullopt : c10::optional<at::ArrayRef<double>>(scales);
    switch (mode) {
      case I_NEAREST: return at::upsample_nearest2d(*x, out_size, scale_factors);
      case I_NEAREST_EXACT: return at::_upsample_nearest_exact2d(*x, out_size, scale_factors);
      case I_BILINEAR: return at::upsample_bilinear2d(*x, out_size, align_corners != 0, scale_factors);
      case I_BICUBIC: return at::upsample_bicubic2d(*x, out_size, align_corners != 0, scale_factors);
    }
    throw std::invalid_argument("unknown interpolate mode code " + std::to_string(mode));
  });
}

// mode: 0 bilinear, 1 nearest, 2 bicubic; padding: 0 zeros, 1 border, 2 reflection (libtorch's codes).
US3L_API tensor_t us3l_grid_sample(tensor_t x, tensor_t grid, int64_t mode, int64_t padding_mode, int align_corners) {
  return tensor_op("grid_sample", {x, grid}, [&] {
    return at::grid_sampler(*x, *grid, mode, padding_mode, align_corners != 0);
  });
}

US3L_API tensor_t us3l_affine_grid(tensor_t theta, const int64_t* size, int ndim, int align_corners) {
  return tensor_op("affine_grid", {theta}, [&] {
    return at::affine_grid_generator(*theta, ints_of(size, ndim), align_corners != 0);
  });
}

// pads = (left, right, top, bottom, ...) from the last dimension backwards, as F.pad.
US3L_API tensor_t us3l_pad(tensor_t x, const int64_t* pads, int n, const char* mode, double value) {
  return tensor_op("pad", {x}, [&] {
    std::string m(mode);
    return at::pad(*x, ints_of(pads, n), m, m == "constant" ? c10::optional<double>(value) : c10::nullopt);
  });
}
