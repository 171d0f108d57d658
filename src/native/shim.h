// Shared plumbing of the C ABI shim: opaque handles, error capture, argument helpers.
// Every exported function catches every C++ exception and stores the message in a
// thread-local slot that .NET reads through us3l_last_error(); no exception crosses the ABI.
#pragma once

#include <torch/torch.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#define US3L_API extern "C" __attribute__((visibility("default")))

// An opaque tensor handle owns one reference to an at::Tensor.
typedef at::Tensor* tensor_t;

namespace us3l {

// Count of live handles: lets tests prove that scopes free every temporary.
extern std::atomic<int64_t> live_handles;

void set_error(const std::string& message);
void clear_error();

// "[2, 3, 8, 8] float32 cpu" (or "undefined").
std::string describe(const at::Tensor& t);

// Builds "op(arg0: ..., arg1: ...): message" so errors name the op and the shapes.
void fail(const char* op, std::initializer_list<const at::Tensor*> inputs, const std::string& what);

inline tensor_t wrap(at::Tensor t) {
  live_handles.fetch_add(1, std::memory_order_relaxed);
  return new at::Tensor(std::move(t));
}

inline at::ScalarType dtype_of(int code) { return static_cast<at::ScalarType>(code); }

inline at::Device device_of(int type, int index) {
  return at::Device(static_cast<at::DeviceType>(type), static_cast<at::DeviceIndex>(index));
}

inline at::TensorOptions options_of(int dtype, int device_type, int device_index, bool requires_grad) {
  return at::TensorOptions()
      .dtype(dtype_of(dtype))
      .device(device_of(device_type, device_index))
      .requires_grad(requires_grad);
}

inline std::vector<at::Tensor> tensors_of(const tensor_t* handles, int count) {
  std::vector<at::Tensor> out;
  out.reserve(count);
  for (int i = 0; i < count; ++i) out.push_back(*handles[i]);
  return out;
}

inline at::IntArrayRef ints_of(const int64_t* values, int count) { return at::IntArrayRef(values, count); }

// An optional tensor argument: a null handle means "not given".
inline c10::optional<at::Tensor> optional_of(tensor_t t) {
  return t ? c10::optional<at::Tensor>(*t) : c10::nullopt;
}
inline at::Tensor or_undefined(tensor_t t) { return t ? *t : at::Tensor(); }

// Runs body; on any exception records the error and returns fallback.
template <typename R, typename F>
R guarded(const char* op, std::initializer_list<const at::Tensor*> inputs, R fallback, F&& body) {
  try {
    return body();
  } catch (const c10::Error& e) {
    fail(op, inputs, e.what_without_backtrace());
  } catch (const std::exception& e) {
    fail(op, inputs, e.what());
  } catch (...) {
    fail(op, inputs, "unknown native error");
  }
  return fallback;
}

// The common case: an op returning one new tensor, or null on error.
template <typename F>
tensor_t tensor_op(const char* op, std::initializer_list<const at::Tensor*> inputs, F&& body) {
  return guarded<tensor_t>(op, inputs, nullptr, [&]() { return wrap(body()); });
}

// An op returning a status code: 0 on success, -1 on error.
template <typename F>
int status_op(const char* op, std::initializer_list<const at::Tensor*> inputs, F&& body) {
  return guarded<int>(op, inputs, -1, [&]() {
    body();
    return 0;
  });
}

// Writes several results into a caller-provided array of handles.
inline int write_tensors(const std::vector<at::Tensor>& results, tensor_t* out, int capacity) {
  if (static_cast<int>(results.size()) > capacity)
    throw std::runtime_error("result count " + std::to_string(results.size()) + " exceeds capacity " +
                             std::to_string(capacity));
  for (size_t i = 0; i < results.size(); ++i) out[i] = wrap(results[i]);
  return static_cast<int>(results.size());
}

}  // namespace us3l
