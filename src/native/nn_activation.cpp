// Activations not covered by pointwise.cpp's unary codes (softmax family) and dropout.
#include "shim.h"

using namespace us3l;

US3L_API tensor_t us3l_softmax(tensor_t x, int64_t dim) {
  return tensor_op("softmax", {x}, [&] { return at::softmax(*x, dim); });
}
US3L_API tensor_t us3l_log_softmax(tensor_t x, int64_t dim) {
  return tensor_op("log_softmax", {x}, [&] { return at::log_softmax(*x, dim); });
}

// Uses the default generator, as torch.nn.functional.dropout does.
US3L_API tensor_t us3l_dropout(tensor_t x, double p, int training) {
  return tensor_op("dropout", {x}, [&] { return at::dropout(*x, p, training != 0); });
}
