// Reductions: sums and moments, extremes with their indices, sorting, norms, logical tests.
// A dims array of length 0 means "every dim", as dim=None in PyTorch.
#include "shim.h"

using namespace us3l;

namespace {

at::OptionalIntArrayRef dims_or_all(const int64_t* dims, int ndims) {
  return ndims == 0 ? at::OptionalIntArrayRef() : at::OptionalIntArrayRef(ints_of(dims, ndims));
}

c10::optional<at::ScalarType> optional_dtype(int dtype) {
  return dtype < 0 ? c10::nullopt : c10::optional<at::ScalarType>(dtype_of(dtype));
}

// libtorch 2.x takes the variance correction as a Scalar, 1.x as an integer.
#if TORCH_VERSION_MAJOR >= 2
c10::optional<at::Scalar> correction_of(int64_t c) { return at::Scalar(c); }
#else
c10::optional<int64_t> correction_of(int64_t c) { return c; }
#endif

// Ops with two results (values, indices) write them into out[0], out[1].
int write_pair(const std::tuple<at::Tensor, at::Tensor>& r, tensor_t* out) {
  return write_tensors({std::get<0>(r), std::get<1>(r)}, out, 2);
}

}  // namespace

US3L_API tensor_t us3l_sum(tensor_t x, const int64_t* dims, int ndims, int keepdim, int dtype) {
  return tensor_op("sum", {x}, [&] {
    auto t = optional_dtype(dtype);
    return ndims == 0 ? at::sum(*x, t) : at::sum(*x, ints_of(dims, ndims), keepdim != 0, t);
  });
}
US3L_API tensor_t us3l_mean(tensor_t x, const int64_t* dims, int ndims, int keepdim) {
  return tensor_op("mean", {x}, [&] { return ndims == 0 ? at::mean(*x) : at::mean(*x, ints_of(dims, ndims), keepdim != 0); });
}
US3L_API tensor_t us3l_var(tensor_t x, const int64_t* dims, int ndims, int64_t correction, int keepdim) {
  return tensor_op("var", {x}, [&] { return at::var(*x, dims_or_all(dims, ndims), correction_of(correction), keepdim != 0); });
}
US3L_API tensor_t us3l_std(tensor_t x, const int64_t* dims, int ndims, int64_t correction, int keepdim) {
  return tensor_op("std", {x}, [&] { return at::std(*x, dims_or_all(dims, ndims), correction_of(correction), keepdim != 0); });
}
// prod reduces one dim at a time in PyTorch; has_dim = 0 reduces every element.
US3L_API tensor_t us3l_prod(tensor_t x, int has_dim, int64_t dim, int keepdim, int dtype) {
  return tensor_op("prod", {x}, [&] {
    auto t = optional_dtype(dtype);
    return has_dim ? at::prod(*x, dim, keepdim != 0, t) : at::prod(*x, t);
  });
}
US3L_API tensor_t us3l_logsumexp(tensor_t x, const int64_t* dims, int ndims, int keepdim) {
  return tensor_op("logsumexp", {x}, [&] { return at::logsumexp(*x, ints_of(dims, ndims), keepdim != 0); });
}
US3L_API tensor_t us3l_cumsum(tensor_t x, int64_t dim, int dtype) {
  return tensor_op("cumsum", {x}, [&] { return at::cumsum(*x, dim, optional_dtype(dtype)); });
}

// ---- extremes ----------------------------------------------------------------------------------

US3L_API tensor_t us3l_max_all(tensor_t x) { return tensor_op("max", {x}, [&] { return at::max(*x); }); }
US3L_API tensor_t us3l_min_all(tensor_t x) { return tensor_op("min", {x}, [&] { return at::min(*x); }); }
US3L_API int us3l_max_dim(tensor_t x, int64_t dim, int keepdim, tensor_t* out) {
  return guarded<int>("max", {x}, -1, [&] { return write_pair(at::max(*x, dim, keepdim != 0), out); });
}
US3L_API int us3l_min_dim(tensor_t x, int64_t dim, int keepdim, tensor_t* out) {
  return guarded<int>("min", {x}, -1, [&] { return write_pair(at::min(*x, dim, keepdim != 0), out); });
}
US3L_API tensor_t us3l_amax(tensor_t x, const int64_t* dims, int ndims, int keepdim) {
  return tensor_op("amax", {x}, [&] { return at::amax(*x, ints_of(dims, ndims), keepdim != 0); });
}
US3L_API tensor_t us3l_amin(tensor_t x, const int64_t* dims, int ndims, int keepdim) {
  return tensor_op("amin", {x}, [&] { return at::amin(*x, ints_of(dims, ndims), keepdim != 0); });
}
// has_dim = 0: the index into the flattened tensor.
US3L_API tensor_t us3l_argmax(tensor_t x, int has_dim, int64_t dim, int keepdim) {
  return tensor_op("argmax", {x}, [&] {
    return at::argmax(*x, has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim != 0);
  });
}
US3L_API tensor_t us3l_argmin(tensor_t x, int has_dim, int64_t dim, int keepdim) {
  return tensor_op("argmin", {x}, [&] {
    return at::argmin(*x, has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim != 0);
  });
}

// ---- sorting -----------------------------------------------------------------------------------

US3L_API int us3l_topk(tensor_t x, int64_t k, int64_t dim, int largest, int sorted, tensor_t* out) {
  return guarded<int>("topk", {x}, -1, [&] { return write_pair(at::topk(*x, k, dim, largest != 0, sorted != 0), out); });
}
// A stable sort keeps equal elements in their original order, so tie indices are reproducible.
US3L_API int us3l_sort(tensor_t x, int64_t dim, int descending, int stable, tensor_t* out) {
  return guarded<int>("sort", {x}, -1, [&] {
    return write_pair(at::sort(*x, c10::optional<bool>(stable != 0), dim, descending != 0), out);
  });
}
US3L_API tensor_t us3l_argsort(tensor_t x, int64_t dim, int descending, int stable) {
  return tensor_op("argsort", {x}, [&] {
    return std::get<1>(at::sort(*x, c10::optional<bool>(stable != 0), dim, descending != 0));
  });
}

// ---- norms and logical tests -------------------------------------------------------------------

// The vector p-norm over dims (every element when ndims = 0); p may be +-inf.
US3L_API tensor_t us3l_vector_norm(tensor_t x, double p, const int64_t* dims, int ndims, int keepdim) {
  return tensor_op("norm", {x}, [&] { return at::linalg_vector_norm(*x, p, dims_or_all(dims, ndims), keepdim != 0, c10::nullopt); });
}
US3L_API tensor_t us3l_all(tensor_t x, int has_dim, int64_t dim, int keepdim) {
  return tensor_op("all", {x}, [&] { return has_dim ? at::all(*x, dim, keepdim != 0) : at::all(*x); });
}
US3L_API tensor_t us3l_any(tensor_t x, int has_dim, int64_t dim, int keepdim) {
  return tensor_op("any", {x}, [&] { return has_dim ? at::any(*x, dim, keepdim != 0) : at::any(*x); });
}
US3L_API tensor_t us3l_count_nonzero(tensor_t x, const int64_t* dims, int ndims) {
  return tensor_op("count_nonzero", {x}, [&] {
    return ndims == 0 ? at::count_nonzero(*x, c10::nullopt) : at::count_nonzero(*x, ints_of(dims, ndims));
  });
}
