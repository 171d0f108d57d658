// Losses with PyTorch's reduction codes (0 none, 1 mean, 2 sum, as at::Reduction), and
// one_hot for target encoding.
#include "shim.h"

using namespace us3l;

// Class-index targets (int64, shape [N] or [N, d1, ...]) or class-probability targets
// (float, same shape as input); libtorch picks by the target's dtype and shape.
US3L_API tensor_t us3l_cross_entropy(tensor_t input, tensor_t target, tensor_t weight, int64_t reduction,
                                     int64_t ignore_index, double label_smoothing) {
  return tensor_op("cross_entropy", {input, target, weight}, [&] {
    return at::cross_entropy_loss(*input, *target, optional_of(weight), reduction, ignore_index, label_smoothing);
  });
}

US3L_API tensor_t us3l_nll_loss(tensor_t input, tensor_t target, tensor_t weight, int64_t reduction,
                                int64_t ignore_index) {
  return tensor_op("nll_loss", {input, target, weight}, [&] {
    return at::nll_loss_nd(*input, *target, optional_of(weight), reduction, ignore_index);
  });
}

US3L_API tensor_t us3l_mse_loss(tensor_t input, tensor_t target, int64_t reduction) {
  return tensor_op("mse_loss", {input, target}, [&] { return at::mse_loss(*input, *target, reduction); });
}

US3L_API tensor_t us3l_l1_loss(tensor_t input, tensor_t target, int64_t reduction) {
  return tensor_op("l1_loss", {input, target}, [&] { return at::l1_loss(*input, *target, reduction); });
}

US3L_API tensor_t us3l_smooth_l1_loss(tensor_t input, tensor_t target, int64_t reduction, double beta) {
  return tensor_op("smooth_l1_loss", {input, target}, [&] { return at::smooth_l1_loss(*input, *target, reduction, beta); });
}

US3L_API tensor_t us3l_binary_cross_entropy_with_logits(tensor_t input, tensor_t target, tensor_t weight,
                                                        tensor_t pos_weight, int64_t reduction) {
  return tensor_op("binary_cross_entropy_with_logits", {input, target, weight, pos_weight}, [&] {
    return at::binary_cross_entropy_with_logits(*input, *target, optional_of(weight), optional_of(pos_weight),
                                                reduction);
  });
}

US3L_API tensor_t us3l_kl_div(tensor_t input, tensor_t target, int64_t reduction, int log_target) {
  return tensor_op("kl_div", {input, target}, [&] { return at::kl_div(*input, *target, reduction, log_target != 0); });
}

US3L_API tensor_t us3l_one_hot(tensor_t x, int64_t num_classes) {
  return tensor_op("one_hot", {x}, [&] { return at::one_hot(*x, num_classes); });
}
