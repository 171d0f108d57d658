// Indexing: picking elements by position, by index tensors and by masks; triangles and diagonals.
#include "shim.h"

using namespace us3l;

US3L_API tensor_t us3l_select(tensor_t x, int64_t dim, int64_t index) {
  return tensor_op("select", {x}, [&] { return at::select(*x, dim, index); });
}
// PyTorch clamps start and end to the dim, so end = INT64_MAX means "to the end".
US3L_API tensor_t us3l_slice(tensor_t x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  return tensor_op("slice", {x}, [&] { return at::slice(*x, dim, start, end, step); });
}
US3L_API tensor_t us3l_index_select(tensor_t x, int64_t dim, tensor_t index) {
  return tensor_op("index_select", {x, index}, [&] { return at::index_select(*x, dim, *index); });
}
US3L_API tensor_t us3l_gather(tensor_t x, int64_t dim, tensor_t index) {
  return tensor_op("gather", {x, index}, [&] { return at::gather(*x, dim, *index); });
}
US3L_API tensor_t us3l_scatter(tensor_t x, int64_t dim, tensor_t index, tensor_t src) {
  return tensor_op("scatter", {x, index, src}, [&] { return at::scatter(*x, dim, *index, *src); });
}
US3L_API tensor_t us3l_scatter_add(tensor_t x, int64_t dim, tensor_t index, tensor_t src) {
  return tensor_op("scatter_add", {x, index, src}, [&] { return at::scatter_add(*x, dim, *index, *src); });
}

// ---- masks -------------------------------------------------------------------------------------

US3L_API tensor_t us3l_masked_fill_scalar(tensor_t x, tensor_t mask, double value) {
  return tensor_op("masked_fill", {x, mask}, [&] { return at::masked_fill(*x, *mask, value); });
}
// value is a 0-dim tensor; gradients flow into it.
US3L_API tensor_t us3l_masked_fill_tensor(tensor_t x, tensor_t mask, tensor_t value) {
  return tensor_op("masked_fill", {x, mask, value}, [&] { return at::masked_fill(*x, *mask, *value); });
}
US3L_API tensor_t us3l_masked_select(tensor_t x, tensor_t mask) {
  return tensor_op("masked_select", {x, mask}, [&] { return at::masked_select(*x, *mask); });
}
US3L_API tensor_t us3l_nonzero(tensor_t x) { return tensor_op("nonzero", {x}, [&] { return at::nonzero(*x); }); }

// ---- triangles and diagonals -------------------------------------------------------------------

US3L_API tensor_t us3l_tril(tensor_t x, int64_t diagonal) {
  return tensor_op("tril", {x}, [&] { return at::tril(*x, diagonal); });
}
US3L_API tensor_t us3l_triu(tensor_t x, int64_t diagonal) {
  return tensor_op("triu", {x}, [&] { return at::triu(*x, diagonal); });
}
US3L_API tensor_t us3l_diag(tensor_t x, int64_t diagonal) {
  return tensor_op("diag", {x}, [&] { return at::diag(*x, diagonal); });
}
US3L_API tensor_t us3l_diagonal(tensor_t x, int64_t offset, int64_t dim1, int64_t dim2) {
  return tensor_op("diagonal", {x}, [&] { return at::diagonal(*x, offset, dim1, dim2); });
}
