// Normalization layers as functions (batch, layer, group norm) and vector normalization
// (normalize, cosine_similarity).
#include "shim.h"

using namespace us3l;

// In training mode with running statistics, libtorch updates running_mean/running_var in
// place: running = (1 - momentum) * running + momentum * batch_stat (unbiased variance).
US3L_API tensor_t us3l_batch_norm(tensor_t x, tensor_t running_mean, tensor_t running_var, tensor_t weight,
                                  tensor_t bias, int training, double momentum, double eps) {
  return tensor_op("batch_norm", {x, running_mean, running_var, weight, bias}, [&] {
    return at::batch_norm(*x, optional_of(weight), optional_of(bias), optional_of(running_mean),
                          optional_of(running_var), training != 0, momentum, eps, /*cudnn_enabled=*/true);
  });
}

US3L_API tensor_t us3l_layer_norm(tensor_t x, const int64_t* normalized_shape, int ndim, tensor_t weight, tensor_t bias,
                                  double eps) {
  return tensor_op("layer_norm", {x, weight, bias}, [&] {
    return at::layer_norm(*x, ints_of(normalized_shape, ndim), optional_of(weight), optional_of(bias), eps,
                          /*cudnn_enable=*/true);
  });
}

US3L_API tensor_t us3l_group_norm(tensor_t x, int64_t num_groups, tensor_t weight, tensor_t bias, double eps) {
  return tensor_op("group_norm", {x, weight, bias}, [&] {
    return at::group_norm(*x, num_groups, optional_of(weight), optional_of(bias), eps, /*cudnn_enabled=*/true);
  });
}

// x / max(||x||_p, eps) along dim, exactly as torch.nn.functional.normalize.
US3L_API tensor_t us3l_normalize(tensor_t x, double p, int64_t dim, double eps) {
  return tensor_op("normalize", {x}, [&] {
    at::Tensor denom = at::norm(*x, p, {dim}, /*keepdim=*/true).clamp_min(eps).expand_as(*x);
    return at::div(*x, denom);
  });
}

US3L_API tensor_t us3l_cosine_similarity(tensor_t a, tensor_t b, int64_t dim, double eps) {
  return tensor_op("cosine_similarity", {a, b}, [&] { return at::cosine_similarity(*a, *b, dim, eps); });
}
