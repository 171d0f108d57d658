// Linear algebra: matrix products, einsum, and the singular value decomposition.
#include "list_inputs.h"

using namespace us3l;

US3L_API tensor_t us3l_matmul(tensor_t a, tensor_t b) {
  return tensor_op("matmul", {a, b}, [&] { return at::matmul(*a, *b); });
}
US3L_API tensor_t us3l_mm(tensor_t a, tensor_t b) { return tensor_op("mm", {a, b}, [&] { return at::mm(*a, *b); }); }
US3L_API tensor_t us3l_bmm(tensor_t a, tensor_t b) { return tensor_op("bmm", {a, b}, [&] { return at::bmm(*a, *b); }); }
US3L_API tensor_t us3l_outer(tensor_t a, tensor_t b) {
  return tensor_op("outer", {a, b}, [&] { return at::outer(*a, *b); });
}
US3L_API tensor_t us3l_dot(tensor_t a, tensor_t b) { return tensor_op("dot", {a, b}, [&] { return at::dot(*a, *b); }); }
US3L_API tensor_t us3l_einsum(const char* equation, const tensor_t* xs, int n) {
  return tensor_op("einsum", {}, [&] {
    return with_listed_inputs(xs, n, std::string("\"") + equation + "\" on ", [&] { return at::einsum(equation, tensors_of(xs, n)); });
  });
}

// Singular values in descending order, batched over leading dims.
US3L_API tensor_t us3l_linalg_svdvals(tensor_t a) {
  return tensor_op("linalg.svdvals", {a}, [&] { return at::linalg_svdvals(*a); });
}
// Writes U, S, Vh (A = U diag(S) Vh) into out[0..2].
US3L_API int us3l_linalg_svd(tensor_t a, int full_matrices, tensor_t* out) {
  return guarded<int>("linalg.svd", {a}, -1, [&] {
    auto r = at::linalg_svd(*a, full_matrices != 0);
    return write_tensors({std::get<0>(r), std::get<1>(r), std::get<2>(r)}, out, 3);
  });
}
