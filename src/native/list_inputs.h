// Ops that take a list of tensors (cat, stack, einsum) cannot name their inputs through
// tensor_op's fixed input list; with_listed_inputs adds every input's shape to the error instead.
#pragma once

#include "shim.h"

namespace us3l {

inline std::string describe_list(const tensor_t* xs, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += (i ? ", " : "") + (xs[i] ? describe(*xs[i]) : std::string("null"));
  return s;
}

// Runs body; a libtorch error is rethrown with "inputs <shapes>: " (after any prefix) in front.
template <typename F>
at::Tensor with_listed_inputs(const tensor_t* xs, int n, const std::string& prefix, F&& body) {
  try {
    return body();
  } catch (const c10::Error& e) {
    throw std::runtime_error(prefix + "inputs " + describe_list(xs, n) + ": " + e.what_without_backtrace());
  }
}

}  // namespace us3l
