// Reductions: sum, mean, min/max over all elements or over dims.
#include "shim.h"

using namespace us3l;

US3L_API tensor_t us3l_sum(tensor_t x, const int64_t* dims, int ndims, int keepdim, int dtype) {
  return tensor_op("sum", {x}, [&] {
    c10::optional<at::ScalarType> t = dtype < 0 ? c10::nullopt : c10::optional<at::ScalarType>(dtype_of(dtype));
    return ndims == 0 ? at::sum(*x, t) : at::sum(*x, ints_of(dims, ndims), keepdim != 0, t);
  });
}
US3L_API tensor_t us3l_mean(tensor_t x, const int64_t* dims, int ndims, int keepdim) {
  return tensor_op("mean", {x}, [&] { return ndims == 0 ? at::mean(*x) : at::mean(*x, ints_of(dims, ndims), keepdim != 0); });
}
US3L_API tensor_t us3l_max_all(tensor_t x) { return tensor_op("max", {x}, [&] { return at::max(*x); }); }
US3L_API tensor_t us3l_min_all(tensor_t x) { return tensor_op("min", {x}, [&] { return at::min(*x); }); }
