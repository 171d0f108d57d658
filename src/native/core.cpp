// Tensor lifetime, metadata, data transfer, devices, autograd, grad modes, threads, seeds.
#include "shim.h"

#include <c10/core/InferenceMode.h>
#include <torch/cuda.h>

#include <cstdlib>
#include <cstring>
#include <malloc.h>
#include <sstream>

namespace us3l {

std::atomic<int64_t> live_handles{0};
static thread_local std::string last_error;

void set_error(const std::string& message) { last_error = message; }
void clear_error() { last_error.clear(); }

static std::string dtype_name(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kHalf: return "float16";
    case at::kBFloat16: return "bfloat16";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kShort: return "int16";
    case at::kChar: return "int8";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    default: return c10::toString(t);
  }
}

std::string describe(const at::Tensor& t) {
  if (!t.defined()) return "undefined";
  std::ostringstream s;
  s << "[";
  for (int64_t i = 0; i < t.dim(); ++i) s << (i ? ", " : "") << t.size(i);
  s << "] " << dtype_name(t.scalar_type()) << " " << t.device().str();
  return s.str();
}

void fail(const char* op, std::initializer_list<const at::Tensor*> inputs, const std::string& what) {
  std::ostringstream s;
  s << op << "(";
  int i = 0;
  for (const at::Tensor* t : inputs) {
    if (!t) continue;
    s << (i ? ", " : "") << describe(*t);
    ++i;
  }
  // libtorch messages can span lines; the first lines carry the meaning.
  std::string message = what;
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  s << "): " << message;
  set_error(s.str());
}

}  // namespace us3l

using namespace us3l;

// Called once when .NET first touches the shim.
// glibc serves blocks above its mmap threshold with a fresh mmap, so every large tensor of every
// training step pays thousands of page faults when it is first written. A Python process quickly
// raises the threshold through glibc's dynamic adjustment; a .NET process does not, and measured
// 15-100% slower train steps because of it. Fixing the threshold at glibc's own dynamic maximum
// (and trimming above twice that) gives .NET the steady state PyTorch runs in. Environment
// settings (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_) still win.
US3L_API void us3l_init() {
  if (!std::getenv("MALLOC_MMAP_THRESHOLD_")) mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  if (!std::getenv("MALLOC_TRIM_THRESHOLD_")) mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
}

US3L_API const char* us3l_last_error() { return last_error.c_str(); }

US3L_API int64_t us3l_live_tensors() { return live_handles.load(); }

US3L_API void us3l_tensor_free(tensor_t t) {
  if (!t) return;
  delete t;
  live_handles.fetch_sub(1, std::memory_order_relaxed);
}

// A second handle to the same tensor (shares storage and autograd identity).
US3L_API tensor_t us3l_tensor_alias(tensor_t t) { return tensor_op("alias", {t}, [&] { return *t; }); }

US3L_API int us3l_tensor_defined(tensor_t t) { return t->defined() ? 1 : 0; }
US3L_API int64_t us3l_tensor_dim(tensor_t t) { return t->dim(); }
US3L_API int64_t us3l_tensor_numel(tensor_t t) { return t->numel(); }
US3L_API int us3l_tensor_dtype(tensor_t t) { return static_cast<int>(t->scalar_type()); }
US3L_API int us3l_tensor_device_type(tensor_t t) { return static_cast<int>(t->device().type()); }
US3L_API int us3l_tensor_device_index(tensor_t t) { return t->device().index(); }
US3L_API int us3l_tensor_is_contiguous(tensor_t t) { return t->is_contiguous() ? 1 : 0; }
US3L_API int us3l_tensor_requires_grad(tensor_t t) { return t->requires_grad() ? 1 : 0; }
US3L_API int us3l_tensor_is_leaf(tensor_t t) { return t->is_leaf() ? 1 : 0; }
US3L_API int64_t us3l_tensor_element_size(tensor_t t) { return t->element_size(); }

US3L_API void us3l_tensor_sizes(tensor_t t, int64_t* out) {
  for (int64_t i = 0; i < t->dim(); ++i) out[i] = t->size(i);
}
US3L_API void us3l_tensor_strides(tensor_t t, int64_t* out) {
  for (int64_t i = 0; i < t->dim(); ++i) out[i] = t->stride(i);
}

// Copies `nbytes` from host memory into a new CPU tensor of the given shape and dtype.
US3L_API tensor_t us3l_tensor_from_data(const void* data, const int64_t* shape, int ndim, int dtype) {
  return tensor_op("tensor", {}, [&] {
    auto options = at::TensorOptions().dtype(dtype_of(dtype));
    at::Tensor out = at::empty(ints_of(shape, ndim), options);
    if (out.numel() > 0) std::memcpy(out.data_ptr(), data, out.numel() * out.element_size());
    return out;
  });
}

// Copies the tensor's values (any device, any layout) into host memory of `nbytes` bytes.
US3L_API int us3l_tensor_copy_to(tensor_t t, void* dst, int64_t nbytes) {
  return status_op("copy_to", {t}, [&] {
    at::Tensor host = t->detach().to(at::kCPU).contiguous();
    int64_t need = host.numel() * host.element_size();
    TORCH_CHECK(need == nbytes, "destination holds ", nbytes, " bytes, tensor needs ", need);
    if (need > 0) std::memcpy(dst, host.data_ptr(), need);
  });
}

// Pointer to the first element of a contiguous CPU tensor (zero-copy spans in .NET).
US3L_API void* us3l_tensor_data_ptr(tensor_t t) {
  return guarded<void*>("data_ptr", {t}, nullptr, [&]() -> void* {
    TORCH_CHECK(t->device().is_cpu(), "data_ptr needs a CPU tensor");
    TORCH_CHECK(t->is_contiguous(), "data_ptr needs a contiguous tensor");
    return t->data_ptr();
  });
}

// The value of a one-element tensor, as a double and as an int64 (exact for integral dtypes).
US3L_API int us3l_tensor_item(tensor_t t, double* as_double, int64_t* as_int64) {
  return status_op("item", {t}, [&] {
    at::Scalar s = t->item();
    if (s.isIntegral(/*includeBool=*/true)) {
      *as_int64 = s.toLong();
      *as_double = static_cast<double>(*as_int64);
    } else {
      *as_double = s.toDouble();
      *as_int64 = static_cast<int64_t>(*as_double);
    }
  });
}

US3L_API tensor_t us3l_to(tensor_t t, int dtype, int device_type, int device_index, int non_blocking, int copy) {
  return tensor_op("to", {t}, [&] {
    return t->to(device_of(device_type, device_index), dtype_of(dtype), non_blocking != 0, copy != 0);
  });
}
US3L_API tensor_t us3l_clone(tensor_t t) { return tensor_op("clone", {t}, [&] { return t->clone(); }); }
US3L_API tensor_t us3l_contiguous(tensor_t t) { return tensor_op("contiguous", {t}, [&] { return t->contiguous(); }); }
US3L_API tensor_t us3l_detach(tensor_t t) { return tensor_op("detach", {t}, [&] { return t->detach(); }); }
US3L_API int us3l_detach_(tensor_t t) { return status_op("detach_", {t}, [&] { t->detach_(); }); }
US3L_API int us3l_copy_(tensor_t dst, tensor_t src, int non_blocking) {
  return status_op("copy_", {dst, src}, [&] { dst->copy_(*src, non_blocking != 0); });
}
US3L_API int us3l_set_data(tensor_t dst, tensor_t src) {
  return status_op("set_data", {dst, src}, [&] { dst->set_data(*src); });
}

// ---- autograd -------------------------------------------------------------------------------

US3L_API int us3l_set_requires_grad(tensor_t t, int flag) {
  return status_op("requires_grad_", {t}, [&] { t->requires_grad_(flag != 0); });
}

// Writes the .grad tensor into *out, or null when no gradient has been accumulated.
US3L_API int us3l_grad(tensor_t t, tensor_t* out) {
  return status_op("grad", {t}, [&] {
    const at::Tensor& g = t->grad();
    *out = g.defined() ? wrap(g) : nullptr;
  });
}
US3L_API int us3l_set_grad(tensor_t t, tensor_t g) {
  return status_op("set_grad", {t, g}, [&] { t->mutable_grad() = g ? *g : at::Tensor(); });
}
US3L_API int us3l_zero_grad(tensor_t t, int set_to_none) {
  return status_op("zero_grad", {t}, [&] {
    at::Tensor& g = t->mutable_grad();
    if (!g.defined()) return;
    if (set_to_none) {
      g = at::Tensor();
    } else {
      g = g.detach();
      g.zero_();
    }
  });
}
US3L_API int us3l_backward(tensor_t t, tensor_t gradient, int retain_graph, int create_graph) {
  return status_op("backward", {t, gradient}, [&] {
    c10::optional<bool> retain = retain_graph < 0 ? c10::nullopt : c10::optional<bool>(retain_graph != 0);
    t->backward(or_undefined(gradient), retain, create_graph != 0);
  });
}

// d(outputs)/d(inputs) with explicit output gradients; results land in out[0..n_inputs).
US3L_API int us3l_autograd_grad(const tensor_t* outputs, const tensor_t* grad_outputs, int n_outputs,
                                const tensor_t* inputs, int n_inputs, int retain_graph, int create_graph,
                                int allow_unused, tensor_t* out) {
  return status_op("autograd.grad", {}, [&] {
    std::vector<at::Tensor> gos;
    for (int i = 0; i < n_outputs; ++i) gos.push_back(grad_outputs ? or_undefined(grad_outputs[i]) : at::Tensor());
    c10::optional<bool> retain = retain_graph < 0 ? c10::nullopt : c10::optional<bool>(retain_graph != 0);
    auto grads = torch::autograd::grad(tensors_of(outputs, n_outputs), tensors_of(inputs, n_inputs), gos, retain,
                                       create_graph != 0, allow_unused != 0);
    for (int i = 0; i < n_inputs; ++i) out[i] = grads[i].defined() ? wrap(grads[i]) : nullptr;
  });
}

US3L_API int us3l_is_grad_enabled() { return at::GradMode::is_enabled() ? 1 : 0; }
US3L_API void us3l_set_grad_enabled(int enabled) { at::GradMode::set_enabled(enabled != 0); }

// Inference mode is an RAII guard in libtorch; .NET holds it as an opaque pointer and must
// release it on the thread that took it.
US3L_API void* us3l_inference_mode_enter() {
  return guarded<void*>("inference_mode", {}, nullptr, [] { return static_cast<void*>(new c10::InferenceMode(true)); });
}
US3L_API void us3l_inference_mode_exit(void* guard) { delete static_cast<c10::InferenceMode*>(guard); }

// ---- threads, seeds, generators, devices -----------------------------------------------------

US3L_API int us3l_get_num_threads() { return at::get_num_threads(); }
US3L_API int us3l_set_num_threads(int n) {
  return status_op("set_num_threads", {}, [&] { at::set_num_threads(n); });
}
US3L_API int us3l_get_num_interop_threads() { return at::get_num_interop_threads(); }

US3L_API int us3l_manual_seed(uint64_t seed) {
  return status_op("manual_seed", {}, [&] { torch::manual_seed(seed); });
}

US3L_API void* us3l_generator_new(uint64_t seed) {
  return guarded<void*>("Generator", {}, nullptr,
                        [&] { return static_cast<void*>(new at::Generator(at::detail::createCPUGenerator(seed))); });
}
US3L_API void us3l_generator_free(void* g) { delete static_cast<at::Generator*>(g); }
US3L_API int us3l_generator_manual_seed(void* g, uint64_t seed) {
  return status_op("Generator.manual_seed", {}, [&] {
    auto* gen = static_cast<at::Generator*>(g);
    std::lock_guard<std::mutex> lock(gen->mutex());
    gen->set_current_seed(seed);
  });
}
US3L_API uint64_t us3l_generator_initial_seed(void* g) { return static_cast<at::Generator*>(g)->current_seed(); }
US3L_API tensor_t us3l_generator_get_state(void* g) {
  return tensor_op("Generator.get_state", {}, [&] {
    auto* gen = static_cast<at::Generator*>(g);
    std::lock_guard<std::mutex> lock(gen->mutex());
    return gen->get_state();
  });
}
US3L_API int us3l_generator_set_state(void* g, tensor_t state) {
  return status_op("Generator.set_state", {state}, [&] {
    auto* gen = static_cast<at::Generator*>(g);
    std::lock_guard<std::mutex> lock(gen->mutex());
    gen->set_state(*state);
  });
}
// The default CPU generator's state (what manual_seed sets), for checkpoints.
US3L_API tensor_t us3l_default_generator_get_state() {
  return tensor_op("get_rng_state", {}, [&] {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    return gen.get_state();
  });
}
US3L_API int us3l_default_generator_set_state(tensor_t state) {
  return status_op("set_rng_state", {state}, [&] {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(*state);
  });
}

US3L_API int us3l_cuda_is_available() { return torch::cuda::is_available() ? 1 : 0; }
US3L_API int us3l_cuda_device_count() { return static_cast<int>(torch::cuda::device_count()); }
US3L_API int us3l_cuda_synchronize(int device_index) {
  return status_op("cuda.synchronize", {}, [&] {
    if (torch::cuda::is_available()) torch::cuda::synchronize(device_index);
  });
}
// The libtorch version the shim was compiled against, e.g. "1.13.1".
US3L_API const char* us3l_torch_version() {
#ifdef TORCH_VERSION
  return TORCH_VERSION;
#else
  static const std::string v = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
                               std::to_string(TORCH_VERSION_PATCH);
  return v.c_str();
#endif
}
