// Elementwise math: unary functions, binary arithmetic and comparisons (broadcasting),
// in-place updates used by optimizers, clamp/where/lerp/addcmul.
// Ops are selected by a code so the ABI stays small; the codes mirror UnaryOp/BinaryOp in
// US3L.Torch/Native/PointwiseNative.cs and must stay in the same order.
#include "shim.h"

using namespace us3l;

enum UnaryCode {
  U_NEG, U_ABS, U_EXP, U_LOG, U_SQRT, U_RSQRT, U_SIN, U_COS, U_TANH, U_SIGMOID,
  U_RELU, U_RELU6, U_GELU, U_SILU, U_HARDSWISH, U_FLOOR, U_CEIL, U_ROUND, U_SIGN, U_RECIPROCAL,
  U_SQUARE, U_LOG1P, U_EXPM1, U_ERF, U_LOGICAL_NOT, U_ISNAN, U_ISINF, U_ISFINITE, U_TRUNC, U_LOG2,
  U_GELU_TANH, U_HARDSIGMOID, U_SOFTPLUS, U_COUNT
};

static at::Tensor unary(int code, const at::Tensor& x) {
  switch (code) {
    case U_NEG: return at::neg(x);
    case U_ABS: return at::abs(x);
    case U_EXP: return at::exp(x);
    case U_LOG: return at::log(x);
    case U_SQRT: return at::sqrt(x);
    case U_RSQRT: return at::rsqrt(x);
    case U_SIN: return at::sin(x);
    case U_COS: return at::cos(x);
    case U_TANH: return at::tanh(x);
    case U_SIGMOID: return at::sigmoid(x);
    case U_RELU: return at::relu(x);
    case U_RELU6: return at::hardtanh(x, 0.0, 6.0);
    case U_GELU: return at::gelu(x);
    case U_SILU: return at::silu(x);
    case U_HARDSWISH: return at::hardswish(x);
    case U_FLOOR: return at::floor(x);
    case U_CEIL: return at::ceil(x);
    case U_ROUND: return at::round(x);
    case U_SIGN: return at::sign(x);
    case U_RECIPROCAL: return at::reciprocal(x);
    case U_SQUARE: return at::square(x);
    case U_LOG1P: return at::log1p(x);
    case U_EXPM1: return at::expm1(x);
    case U_ERF: return at::erf(x);
    case U_LOGICAL_NOT: return at::logical_not(x);
    case U_ISNAN: return at::isnan(x);
    case U_ISINF: return at::isinf(x);
    case U_ISFINITE: return at::isfinite(x);
    case U_TRUNC: return at::trunc(x);
    case U_LOG2: return at::log2(x);
    case U_GELU_TANH: return at::gelu(x, "tanh");
    case U_HARDSIGMOID: return at::hardsigmoid(x);
    case U_SOFTPLUS: return at::softplus(x);
  }
  throw std::invalid_argument("unknown unary op code " + std::to_string(code));
}

static void unary_(int code, at::Tensor& x) {
  switch (code) {
    case U_NEG: x.neg_(); return;
    case U_ABS: x.abs_(); return;
    case U_EXP: x.exp_(); return;
    case U_LOG: x.log_(); return;
    case U_SQRT: x.sqrt_(); return;
    case U_RSQRT: x.rsqrt_(); return;
    case U_SIGMOID: x.sigmoid_(); return;
    case U_TANH: x.tanh_(); return;
    case U_RELU: x.relu_(); return;
    case U_RELU6: at::hardtanh_(x, 0.0, 6.0); return;
    case U_SILU: at::silu_(x); return;
    case U_HARDSWISH: at::hardswish_(x); return;
    case U_FLOOR: x.floor_(); return;
    case U_CEIL: x.ceil_(); return;
    case U_ROUND: x.round_(); return;
    case U_SIGN: x.sign_(); return;
    case U_RECIPROCAL: x.reciprocal_(); return;
    case U_SQUARE: x.square_(); return;
    default: x.copy_(unary(code, x)); return;
  }
}

enum BinaryCode {
  B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAXIMUM, B_MINIMUM, B_EQ, B_NE, B_LT,
  B_LE, B_GT, B_GE, B_LOGICAL_AND, B_LOGICAL_OR, B_LOGICAL_XOR, B_REMAINDER, B_FMOD, B_ATAN2, B_FLOOR_DIVIDE,
  B_BITWISE_AND, B_BITWISE_OR, B_BITWISE_XOR, B_COUNT
};

static const char* binary_name(int code) {
  static const char* names[] = {"add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt",
                                "le", "gt", "ge", "logical_and", "logical_or", "logical_xor", "remainder",
                                "fmod", "atan2", "floor_divide", "bitwise_and", "bitwise_or", "bitwise_xor"};
  return code >= 0 && code < B_COUNT ? names[code] : "binary";
}

static at::Tensor binary(int code, const at::Tensor& a, const at::Tensor& b) {
  switch (code) {
    case B_ADD: return at::add(a, b);
    case B_SUB: return at::sub(a, b);
    case B_MUL: return at::mul(a, b);
    case B_DIV: return at::div(a, b);
    case B_POW: return at::pow(a, b);
    case B_MAXIMUM: return at::maximum(a, b);
    case B_MINIMUM: return at::minimum(a, b);
    case B_EQ: return at::eq(a, b);
    case B_NE: return at::ne(a, b);
    case B_LT: return at::lt(a, b);
    case B_LE: return at::le(a, b);
    case B_GT: return at::gt(a, b);
    case B_GE: return at::ge(a, b);
    case B_LOGICAL_AND: return at::logical_and(a, b);
    case B_LOGICAL_OR: return at::logical_or(a, b);
    case B_LOGICAL_XOR: return at::logical_xor(a, b);
    case B_REMAINDER: return at::remainder(a, b);
    case B_FMOD: return at::fmod(a, b);
    case B_ATAN2: return at::atan2(a, b);
    case B_FLOOR_DIVIDE: return at::div(a, b, "floor");
    case B_BITWISE_AND: return at::bitwise_and(a, b);
    case B_BITWISE_OR: return at::bitwise_or(a, b);
    case B_BITWISE_XOR: return at::bitwise_xor(a, b);
  }
  throw std::invalid_argument("unknown binary op code " + std::to_string(code));
}

static void binary_(int code, at::Tensor& a, const at::Tensor& b) {
  switch (code) {
    case B_ADD: a.add_(b); return;
    case B_SUB: a.sub_(b); return;
    case B_MUL: a.mul_(b); return;
    case B_DIV: a.div_(b); return;
    case B_POW: a.pow_(b); return;
    default: a.copy_(binary(code, a, b)); return;
  }
}

// A Python-style number: it takes part in type promotion as a "wrapped number", so
// int_tensor * 2 stays integral and float16_tensor * 0.5 stays float16.
static at::Tensor wrapped_scalar(double value, int integral) {
  at::Tensor s = integral ? c10::scalar_to_tensor(at::Scalar(static_cast<int64_t>(value)))
                          : c10::scalar_to_tensor(at::Scalar(value));
  s.unsafeGetTensorImpl()->set_wrapped_number(true);
  return s;
}

US3L_API tensor_t us3l_unary(int code, tensor_t x) { return tensor_op("unary", {x}, [&] { return unary(code, *x); }); }
US3L_API int us3l_unary_(int code, tensor_t x) { return status_op("unary_", {x}, [&] { unary_(code, *x); }); }

US3L_API tensor_t us3l_binary(int code, tensor_t a, tensor_t b) {
  return tensor_op(binary_name(code), {a, b}, [&] { return binary(code, *a, *b); });
}
US3L_API tensor_t us3l_binary_scalar(int code, tensor_t a, double value, int integral) {
  return tensor_op(binary_name(code), {a}, [&] { return binary(code, *a, wrapped_scalar(value, integral)); });
}
// scalar (op) tensor, for 1 - x, 2 / x, 2 ** x.
US3L_API tensor_t us3l_scalar_binary(int code, double value, int integral, tensor_t b) {
  return tensor_op(binary_name(code), {b}, [&] { return binary(code, wrapped_scalar(value, integral), *b); });
}
US3L_API int us3l_binary_(int code, tensor_t a, tensor_t b) {
  return status_op(binary_name(code), {a, b}, [&] { binary_(code, *a, *b); });
}
US3L_API int us3l_binary_scalar_(int code, tensor_t a, double value, int integral) {
  return status_op(binary_name(code), {a}, [&] { binary_(code, *a, wrapped_scalar(value, integral)); });
}

// a + alpha * b (also the in-place form used by SGD).
US3L_API tensor_t us3l_add_scaled(tensor_t a, tensor_t b, double alpha) {
  return tensor_op("add", {a, b}, [&] { return at::add(*a, *b, alpha); });
}
US3L_API int us3l_add_scaled_(tensor_t a, tensor_t b, double alpha) {
  return status_op("add_", {a, b}, [&] { a->add_(*b, alpha); });
}
US3L_API int us3l_addcmul_(tensor_t a, tensor_t b, tensor_t c, double value) {
  return status_op("addcmul_", {a, b, c}, [&] { a->addcmul_(*b, *c, value); });
}
US3L_API int us3l_addcdiv_(tensor_t a, tensor_t b, tensor_t c, double value) {
  return status_op("addcdiv_", {a, b, c}, [&] { a->addcdiv_(*b, *c, value); });
}
// a += weight * (b - a): the EMA update of a momentum teacher.
US3L_API int us3l_lerp_(tensor_t a, tensor_t b, double weight) {
  return status_op("lerp_", {a, b}, [&] { a->lerp_(*b, weight); });
}
US3L_API tensor_t us3l_lerp(tensor_t a, tensor_t b, double weight) {
  return tensor_op("lerp", {a, b}, [&] { return at::lerp(*a, *b, weight); });
}

// Clamp with optional bounds (has_min/has_max = 0 leaves that side open).
US3L_API tensor_t us3l_clamp(tensor_t x, int has_min, double min, int has_max, double max) {
  return tensor_op("clamp", {x}, [&] {
    return at::clamp(*x, has_min ? c10::optional<at::Scalar>(min) : c10::nullopt,
                     has_max ? c10::optional<at::Scalar>(max) : c10::nullopt);
  });
}
US3L_API int us3l_clamp_(tensor_t x, int has_min, double min, int has_max, double max) {
  return status_op("clamp_", {x}, [&] {
    x->clamp_(has_min ? c10::optional<at::Scalar>(min) : c10::nullopt,
              has_max ? c10::optional<at::Scalar>(max) : c10::nullopt);
  });
}
US3L_API tensor_t us3l_clamp_tensor(tensor_t x, tensor_t min, tensor_t max) {
  return tensor_op("clamp", {x, min, max}, [&] { return at::clamp(*x, optional_of(min), optional_of(max)); });
}
US3L_API tensor_t us3l_where(tensor_t cond, tensor_t a, tensor_t b) {
  return tensor_op("where", {cond, a, b}, [&] { return at::where(*cond, *a, *b); });
}
US3L_API tensor_t us3l_pow_scalar_tensor(double base, tensor_t exponent) {
  return tensor_op("pow", {exponent}, [&] { return at::pow(base, *exponent); });
}
US3L_API tensor_t us3l_leaky_relu(tensor_t x, double slope) {
  return tensor_op("leaky_relu", {x}, [&] { return at::leaky_relu(*x, slope); });
}
US3L_API tensor_t us3l_elu(tensor_t x, double alpha) { return tensor_op("elu", {x}, [&] { return at::elu(*x, alpha); }); }
US3L_API tensor_t us3l_hardtanh(tensor_t x, double lo, double hi) {
  return tensor_op("hardtanh", {x}, [&] { return at::hardtanh(*x, lo, hi); });
}
US3L_API tensor_t us3l_nan_to_num(tensor_t x, double nan, double posinf, double neginf) {
  return tensor_op("nan_to_num", {x}, [&] { return at::nan_to_num(*x, nan, posinf, neginf); });
}
US3L_API tensor_t us3l_allclose_tensor(tensor_t a, tensor_t b, double rtol, double atol) {
  return tensor_op("isclose", {a, b}, [&] { return at::isclose(*a, *b, rtol, atol); });
}
