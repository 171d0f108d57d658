// Shape ops: views and reshapes, dim permutations, broadcasting, joining and splitting.
#include "list_inputs.h"

using namespace us3l;

US3L_API tensor_t us3l_reshape(tensor_t x, const int64_t* shape, int ndim) {
  return tensor_op("reshape", {x}, [&] { return at::reshape(*x, ints_of(shape, ndim)); });
}
US3L_API tensor_t us3l_view(tensor_t x, const int64_t* shape, int ndim) {
  return tensor_op("view", {x}, [&] { return x->view(ints_of(shape, ndim)); });
}
US3L_API tensor_t us3l_narrow(tensor_t x, int64_t dim, int64_t start, int64_t length) {
  return tensor_op("narrow", {x}, [&] { return at::narrow(*x, dim, start, length); });
}
US3L_API tensor_t us3l_flatten(tensor_t x, int64_t start_dim, int64_t end_dim) {
  return tensor_op("flatten", {x}, [&] { return at::flatten(*x, start_dim, end_dim); });
}
US3L_API tensor_t us3l_unflatten(tensor_t x, int64_t dim, const int64_t* sizes, int n) {
  return tensor_op("unflatten", {x}, [&] { return x->unflatten(dim, ints_of(sizes, n)); });
}
US3L_API tensor_t us3l_squeeze(tensor_t x, int has_dim, int64_t dim) {
  return tensor_op("squeeze", {x}, [&] { return has_dim ? at::squeeze(*x, dim) : at::squeeze(*x); });
}
US3L_API tensor_t us3l_unsqueeze(tensor_t x, int64_t dim) {
  return tensor_op("unsqueeze", {x}, [&] { return at::unsqueeze(*x, dim); });
}

// ---- dim order and broadcasting ----------------------------------------------------------------

US3L_API tensor_t us3l_permute(tensor_t x, const int64_t* dims, int n) {
  return tensor_op("permute", {x}, [&] { return at::permute(*x, ints_of(dims, n)); });
}
US3L_API tensor_t us3l_transpose(tensor_t x, int64_t dim0, int64_t dim1) {
  return tensor_op("transpose", {x}, [&] { return at::transpose(*x, dim0, dim1); });
}
US3L_API tensor_t us3l_t(tensor_t x) { return tensor_op("t", {x}, [&] { return at::t(*x); }); }
US3L_API tensor_t us3l_expand(tensor_t x, const int64_t* sizes, int n) {
  return tensor_op("expand", {x}, [&] { return x->expand(ints_of(sizes, n)); });
}
US3L_API tensor_t us3l_broadcast_to(tensor_t x, const int64_t* sizes, int n) {
  return tensor_op("broadcast_to", {x}, [&] { return at::broadcast_to(*x, ints_of(sizes, n)); });
}
US3L_API tensor_t us3l_flip(tensor_t x, const int64_t* dims, int n) {
  return tensor_op("flip", {x}, [&] { return at::flip(*x, ints_of(dims, n)); });
}
// ndims = 0 rolls the flattened tensor and restores the shape, as roll(shifts) without dims.
US3L_API tensor_t us3l_roll(tensor_t x, const int64_t* shifts, int nshifts, const int64_t* dims, int ndims) {
  return tensor_op("roll", {x}, [&] { return at::roll(*x, ints_of(shifts, nshifts), ints_of(dims, ndims)); });
}
US3L_API tensor_t us3l_repeat(tensor_t x, const int64_t* repeats, int n) {
  return tensor_op("repeat", {x}, [&] { return x->repeat(ints_of(repeats, n)); });
}
// has_dim = 0 repeats the elements of the flattened tensor.
US3L_API tensor_t us3l_repeat_interleave(tensor_t x, int64_t repeats, int has_dim, int64_t dim) {
  return tensor_op("repeat_interleave", {x}, [&] {
    return at::repeat_interleave(*x, repeats, has_dim ? c10::optional<int64_t>(dim) : c10::nullopt);
  });
}

// ---- joining and splitting ---------------------------------------------------------------------

US3L_API tensor_t us3l_cat(const tensor_t* xs, int n, int64_t dim) {
  return tensor_op("cat", {}, [&] { return with_listed_inputs(xs, n, "", [&] { return at::cat(tensors_of(xs, n), dim); }); });
}
US3L_API tensor_t us3l_stack(const tensor_t* xs, int n, int64_t dim) {
  return tensor_op("stack", {}, [&] { return with_listed_inputs(xs, n, "", [&] { return at::stack(tensors_of(xs, n), dim); }); });
}
// The splitting ops write their pieces into out (room for capacity handles) and return the
// count, or -1 on error. The caller knows the count, or an upper bound, from the shape.
US3L_API int us3l_split(tensor_t x, int64_t split_size, int64_t dim, tensor_t* out, int capacity) {
  return guarded<int>("split", {x}, -1, [&] { return write_tensors(at::split(*x, split_size, dim), out, capacity); });
}
US3L_API int us3l_split_with_sizes(tensor_t x, const int64_t* sizes, int n, int64_t dim, tensor_t* out, int capacity) {
  return guarded<int>("split", {x}, -1, [&] {
    return write_tensors(at::split_with_sizes(*x, ints_of(sizes, n), dim), out, capacity);
  });
}
US3L_API int us3l_chunk(tensor_t x, int64_t chunks, int64_t dim, tensor_t* out, int capacity) {
  return guarded<int>("chunk", {x}, -1, [&] { return write_tensors(at::chunk(*x, chunks, dim), out, capacity); });
}
US3L_API int us3l_unbind(tensor_t x, int64_t dim, tensor_t* out, int capacity) {
  return guarded<int>("unbind", {x}, -1, [&] { return write_tensors(at::unbind(*x, dim), out, capacity); });
}
