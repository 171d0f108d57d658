// Tensor factories: constant, ranged and random tensors, and in-place initialisers.
#include "shim.h"
// Factories use the torch:: forms (not at::) because only those honour requires_grad in the options.

using namespace us3l;

static c10::optional<at::Generator> generator_of(void* g) {
  return g ? c10::optional<at::Generator>(*static_cast<at::Generator*>(g)) : c10::nullopt;
}

US3L_API tensor_t us3l_empty(const int64_t* shape, int ndim, int dtype, int dev, int idx, int rg) {
  return tensor_op("empty", {}, [&] { return torch::empty(ints_of(shape, ndim), options_of(dtype, dev, idx, rg)); });
}
US3L_API tensor_t us3l_zeros(const int64_t* shape, int ndim, int dtype, int dev, int idx, int rg) {
  return tensor_op("zeros", {}, [&] { return torch::zeros(ints_of(shape, ndim), options_of(dtype, dev, idx, rg)); });
}
US3L_API tensor_t us3l_ones(const int64_t* shape, int ndim, int dtype, int dev, int idx, int rg) {
  return tensor_op("ones", {}, [&] { return torch::ones(ints_of(shape, ndim), options_of(dtype, dev, idx, rg)); });
}
US3L_API tensor_t us3l_full(const int64_t* shape, int ndim, double value, int dtype, int dev, int idx, int rg) {
  return tensor_op("full", {}, [&] { return torch::full(ints_of(shape, ndim), value, options_of(dtype, dev, idx, rg)); });
}
US3L_API tensor_t us3l_eye(int64_t n, int64_t m, int dtype, int dev, int idx, int rg) {
  return tensor_op("eye", {}, [&] { return torch::eye(n, m, options_of(dtype, dev, idx, rg)); });
}
US3L_API tensor_t us3l_arange(double start, double end, double step, int dtype, int dev, int idx, int rg) {
  return tensor_op("arange", {}, [&] { return torch::arange(start, end, step, options_of(dtype, dev, idx, rg)); });
}
US3L_API tensor_t us3l_linspace(double start, double end, int64_t steps, int dtype, int dev, int idx, int rg) {
  return tensor_op("linspace", {}, [&] { return torch::linspace(start, end, steps, options_of(dtype, dev, idx, rg)); });
}
US3L_API tensor_t us3l_rand(const int64_t* shape, int ndim, void* gen, int dtype, int dev, int idx, int rg) {
  return tensor_op("rand", {}, [&] {
    return torch::rand(ints_of(shape, ndim), generator_of(gen), options_of(dtype, dev, idx, rg));
  });
}
US3L_API tensor_t us3l_randn(const int64_t* shape, int ndim, void* gen, int dtype, int dev, int idx, int rg) {
  return tensor_op("randn", {}, [&] {
    return torch::randn(ints_of(shape, ndim), generator_of(gen), options_of(dtype, dev, idx, rg));
  });
}
US3L_API tensor_t us3l_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, void* gen, int dtype,
                               int dev, int idx) {
  return tensor_op("randint", {}, [&] {
    return torch::randint(low, high, ints_of(shape, ndim), generator_of(gen), options_of(dtype, dev, idx, false));
  });
}
US3L_API tensor_t us3l_randperm(int64_t n, void* gen, int dtype, int dev, int idx) {
  return tensor_op("randperm", {}, [&] { return torch::randperm(n, generator_of(gen), options_of(dtype, dev, idx, false)); });
}

// In-place initialisers (used by parameter init under no-grad).
US3L_API int us3l_uniform_(tensor_t t, double from, double to, void* gen) {
  return status_op("uniform_", {t}, [&] { t->uniform_(from, to, generator_of(gen)); });
}
US3L_API int us3l_normal_(tensor_t t, double mean, double std, void* gen) {
  return status_op("normal_", {t}, [&] { t->normal_(mean, std, generator_of(gen)); });
}
US3L_API int us3l_bernoulli_(tensor_t t, double p, void* gen) {
  return status_op("bernoulli_", {t}, [&] { t->bernoulli_(p, generator_of(gen)); });
}
US3L_API tensor_t us3l_bernoulli(tensor_t probs, void* gen) {
  return tensor_op("bernoulli", {probs}, [&] { return at::bernoulli(*probs, generator_of(gen)); });
}
US3L_API tensor_t us3l_multinomial(tensor_t probs, int64_t n, int replacement, void* gen) {
  return tensor_op("multinomial", {probs}, [&] { return at::multinomial(*probs, n, replacement != 0, generator_of(gen)); });
}
US3L_API int us3l_fill_(tensor_t t, double value) { return status_op("fill_", {t}, [&] { t->fill_(value); }); }
US3L_API int us3l_zero_(tensor_t t) { return status_op("zero_", {t}, [&] { t->zero_(); }); }
