// Linear and convolution layers as functions: linear, conv2d, conv_transpose2d.
// Spatial arguments arrive as (h, w) pairs of plain integers so the ABI needs no arrays.
#include "shim.h"

using namespace us3l;

US3L_API tensor_t us3l_linear(tensor_t x, tensor_t weight, tensor_t bias) {
  return tensor_op("linear", {x, weight, bias}, [&] { return at::linear(*x, *weight, optional_of(bias)); });
}

US3L_API tensor_t us3l_conv2d(tensor_t x, tensor_t weight, tensor_t bias, int64_t sh, int64_t sw, int64_t ph,
                              int64_t pw, int64_t dh, int64_t dw, int64_t groups) {
  return tensor_op("conv2d", {x, weight, bias}, [&] {
    return at::conv2d(*x, *weight, optional_of(bias), {sh, sw}, {ph, pw}, {dh, dw}, groups);
  });
}

// padding = "same" or "valid", as PyTorch's string form of conv2d padding.
US3L_API tensor_t us3l_conv2d_padding_mode(tensor_t x, tensor_t weight, tensor_t bias, int64_t sh, int64_t sw,
                                           const char* padding, int64_t dh, int64_t dw, int64_t groups) {
  return tensor_op("conv2d", {x, weight, bias}, [&] {
    return at::conv2d(*x, *weight, optional_of(bias), {sh, sw}, c10::string_view(padding), {dh, dw}, groups);
  });
}

US3L_API tensor_t us3l_conv_transpose2d(tensor_t x, tensor_t weight, tensor_t bias, int64_t sh, int64_t sw, int64_t ph,
                                        int64_t pw, int64_t oph, int64_t opw, int64_t groups, int64_t dh, int64_t dw) {
  return tensor_op("conv_transpose2d", {x, weight, bias}, [&] {
    return at::conv_transpose2d(*x, *weight, optional_of(bias), {sh, sw}, {ph, pw}, {oph, opw}, groups, {dh, dw});
  });
}
