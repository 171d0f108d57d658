// Shape ops: views, reshapes, slicing, joining.
#include "shim.h"

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
US3L_API tensor_t us3l_cat(const tensor_t* xs, int n, int64_t dim) {
  return tensor_op("cat", {}, [&] { return at::cat(tensors_of(xs, n), dim); });
}
US3L_API tensor_t us3l_stack(const tensor_t* xs, int n, int64_t dim) {
  return tensor_op("stack", {}, [&] { return at::stack(tensors_of(xs, n), dim); });
}
