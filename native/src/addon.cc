// N-API entry points. Tensors live in the TensorFlow.js wasm heap: JS passes the heap's ArrayBuffer (re-read by the
// caller on every call, since the heap can grow and replace it), byte offsets of each tensor and the geometry.
// Every offset and extent is checked against the buffer before any memory is touched.
#include <node_api.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <string>

#include "kernels.h"

namespace retina {
namespace {

const KernelTable* detectKernels() {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (kAvx512Kernels && __builtin_cpu_supports("avx512f")) return kAvx512Kernels;
  if (kAvx2Kernels && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return kAvx2Kernels;
#endif
  return &kScalarKernels;
}

const KernelTable* const kBest = detectKernels();
// Tests switch paths to check each against the reference; workers never do, so a plain per-thread choice suffices.
thread_local const KernelTable* active = kBest;

struct Failure {
  std::string message;
};

napi_value throwError(napi_env env, const std::string& message) {
  napi_throw_error(env, nullptr, message.c_str());
  return nullptr;
}

void check(napi_status status, const char* what) {
  if (status != napi_ok) throw Failure{std::string("retina_native: cannot read ") + what};
}

struct Heap {
  uint8_t* data;
  size_t bytes;
  float* at(double offset, double floats, const char* what) const {
    if (!(offset >= 0 && offset == static_cast<double>(static_cast<int64_t>(offset)) &&
          static_cast<int64_t>(offset) % 4 == 0 && floats >= 0 && offset + floats * 4 <= static_cast<double>(bytes)))
      throw Failure{std::string("retina_native: ") + what + " lies outside the heap"};
    return reinterpret_cast<float*>(data + static_cast<size_t>(offset));
  }
};

Heap heapArg(napi_env env, napi_value v) {
  bool isAb = false;
  check(napi_is_arraybuffer(env, v, &isAb), "heap");
  if (!isAb) throw Failure{"retina_native: the heap argument must be an ArrayBuffer"};
  void* data = nullptr;
  size_t bytes = 0;
  check(napi_get_arraybuffer_info(env, v, &data, &bytes), "heap");
  return {static_cast<uint8_t*>(data), bytes};
}

double numberArg(napi_env env, napi_value v, const char* what) {
  double d = 0;
  check(napi_get_value_double(env, v, &d), what);
  return d;
}

/** Geometry from a plain array of 15 integers, in ConvGeometry's field order. */
ConvGeometry geometryArg(napi_env env, napi_value v) {
  bool isArray = false;
  check(napi_is_array(env, v, &isArray), "geometry");
  uint32_t len = 0;
  if (isArray) check(napi_get_array_length(env, v, &len), "geometry");
  if (!isArray || len != 15) throw Failure{"retina_native: geometry must be an array of 15 integers"};
  long f[15];
  for (uint32_t i = 0; i < 15; i++) {
    napi_value e;
    check(napi_get_element(env, v, i, &e), "geometry");
    int64_t x = 0;
    check(napi_get_value_int64(env, e, &x), "geometry");
    f[i] = static_cast<long>(x);
  }
  ConvGeometry g{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13], f[14]};
  const bool positive = g.n > 0 && g.h > 0 && g.w > 0 && g.ci > 0 && g.kh > 0 && g.kw > 0 && g.co > 0 && g.sh > 0 &&
                        g.sw > 0 && g.dh > 0 && g.dw > 0 && g.ho > 0 && g.wo > 0;
  // Every output pixel's window must start inside the padded input: no negative padding, no window past it.
  const bool sane = g.padTop >= 0 && g.padLeft >= 0 && g.padTop < g.kh * g.dh + g.h && g.padLeft < g.kw * g.dw + g.w &&
                    (g.ho - 1) * g.sh - g.padTop < g.h + g.kh * g.dh && (g.wo - 1) * g.sw - g.padLeft < g.w + g.kw * g.dw;
  if (!positive || !sane) throw Failure{"retina_native: invalid convolution geometry"};
  return g;
}

napi_value getArgs(napi_env env, napi_callback_info info, size_t want, napi_value* args) {
  size_t argc = want;
  check(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr), "arguments");
  if (argc < want) throw Failure{"retina_native: expected " + std::to_string(want) + " arguments"};
  return nullptr;
}

template <typename F>
napi_value guarded(napi_env env, F&& body) {
  try {
    body();
    return nullptr;
  } catch (const Failure& f) {
    return throwError(env, f.message);
  } catch (const std::bad_alloc&) {
    return throwError(env, "retina_native: out of memory");
  }
}

// conv2d(heap, geometry, xOff, wOff, biasOff (-1: none), yOff, relu)
napi_value Conv2d(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value a[7];
    getArgs(env, info, 7, a);
    const Heap heap = heapArg(env, a[0]);
    const ConvGeometry g = geometryArg(env, a[1]);
    const float* x = heap.at(numberArg(env, a[2], "x"), double(g.n) * g.h * g.w * g.ci, "x");
    const float* w = heap.at(numberArg(env, a[3], "filter"), double(g.kh) * g.kw * g.ci * g.co, "filter");
    const double biasOff = numberArg(env, a[4], "bias");
    const float* bias = biasOff < 0 ? nullptr : heap.at(biasOff, double(g.co), "bias");
    float* y = heap.at(numberArg(env, a[5], "output"), double(g.n) * g.ho * g.wo * g.co, "output");
    bool relu = false;
    check(napi_get_value_bool(env, a[6], &relu), "activation");
    active->conv2d(x, w, bias, y, g, relu ? Activation::Relu : Activation::Linear);
  });
}

// conv2dBackpropInput(heap, geometry, dyOff, wOff, dxOff)
napi_value Conv2dBackpropInput(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value a[5];
    getArgs(env, info, 5, a);
    const Heap heap = heapArg(env, a[0]);
    const ConvGeometry g = geometryArg(env, a[1]);
    const float* dy = heap.at(numberArg(env, a[2], "dy"), double(g.n) * g.ho * g.wo * g.co, "dy");
    const float* w = heap.at(numberArg(env, a[3], "filter"), double(g.kh) * g.kw * g.ci * g.co, "filter");
    float* dx = heap.at(numberArg(env, a[4], "output"), double(g.n) * g.h * g.w * g.ci, "output");
    active->conv2dBackpropInput(dy, w, dx, g);
  });
}

// conv2dBackpropFilter(heap, geometry, xOff, dyOff, dwOff)
napi_value Conv2dBackpropFilter(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value a[5];
    getArgs(env, info, 5, a);
    const Heap heap = heapArg(env, a[0]);
    const ConvGeometry g = geometryArg(env, a[1]);
    const float* x = heap.at(numberArg(env, a[2], "x"), double(g.n) * g.h * g.w * g.ci, "x");
    const float* dy = heap.at(numberArg(env, a[3], "dy"), double(g.n) * g.ho * g.wo * g.co, "dy");
    float* dw = heap.at(numberArg(env, a[4], "output"), double(g.kh) * g.kw * g.ci * g.co, "output");
    active->conv2dBackpropFilter(x, dy, dw, g);
  });
}

long countArg(napi_env env, napi_value v, const char* what) {
  const double d = numberArg(env, v, what);
  if (!(d >= 1 && d <= 1e12 && d == static_cast<double>(static_cast<int64_t>(d))))
    throw Failure{std::string("retina_native: ") + what + " must be a positive integer"};
  return static_cast<long>(d);
}

// bnMoments(heap, xOff, rows, channels, meanOff, varianceOff)
napi_value BnMoments(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value a[6];
    getArgs(env, info, 6, a);
    const Heap heap = heapArg(env, a[0]);
    const long rows = countArg(env, a[2], "rows");
    const long c = countArg(env, a[3], "channels");
    const float* x = heap.at(numberArg(env, a[1], "x"), double(rows) * c, "x");
    float* mean = heap.at(numberArg(env, a[4], "mean"), double(c), "mean");
    float* variance = heap.at(numberArg(env, a[5], "variance"), double(c), "variance");
    active->bnMoments(x, rows, c, mean, variance);
  });
}

// bnNormalize(heap, xOff, rows, channels, meanOff, varianceOff, gammaOff, betaOff, epsilon, yOff)
napi_value BnNormalize(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value a[10];
    getArgs(env, info, 10, a);
    const Heap heap = heapArg(env, a[0]);
    const long rows = countArg(env, a[2], "rows");
    const long c = countArg(env, a[3], "channels");
    const float* x = heap.at(numberArg(env, a[1], "x"), double(rows) * c, "x");
    const float* mean = heap.at(numberArg(env, a[4], "mean"), double(c), "mean");
    const float* variance = heap.at(numberArg(env, a[5], "variance"), double(c), "variance");
    const float* gamma = heap.at(numberArg(env, a[6], "gamma"), double(c), "gamma");
    const float* beta = heap.at(numberArg(env, a[7], "beta"), double(c), "beta");
    const float eps = static_cast<float>(numberArg(env, a[8], "epsilon"));
    float* y = heap.at(numberArg(env, a[9], "output"), double(rows) * c, "output");
    active->bnNormalize(x, rows, c, mean, variance, gamma, beta, eps, y);
  });
}

// bnTrainGrad(heap, dyOff, xOff, rows, channels, meanOff, varianceOff, gammaOff, epsilon, dxOff, dgammaOff, dbetaOff)
napi_value BnTrainGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value a[12];
    getArgs(env, info, 12, a);
    const Heap heap = heapArg(env, a[0]);
    const long rows = countArg(env, a[3], "rows");
    const long c = countArg(env, a[4], "channels");
    const float* dy = heap.at(numberArg(env, a[1], "dy"), double(rows) * c, "dy");
    const float* x = heap.at(numberArg(env, a[2], "x"), double(rows) * c, "x");
    const float* mean = heap.at(numberArg(env, a[5], "mean"), double(c), "mean");
    const float* variance = heap.at(numberArg(env, a[6], "variance"), double(c), "variance");
    const float* gamma = heap.at(numberArg(env, a[7], "gamma"), double(c), "gamma");
    const float eps = static_cast<float>(numberArg(env, a[8], "epsilon"));
    float* dx = heap.at(numberArg(env, a[9], "dx"), double(rows) * c, "dx");
    float* dgamma = heap.at(numberArg(env, a[10], "dgamma"), double(c), "dgamma");
    float* dbeta = heap.at(numberArg(env, a[11], "dbeta"), double(c), "dbeta");
    active->bnTrainGrad(dy, x, rows, c, mean, variance, gamma, eps, dx, dgamma, dbeta);
  });
}

// copyRows(heap, srcOff, srcStride, dstOff, dstStride, rows, len): strides and len in floats, offsets in bytes.
napi_value CopyRows(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value a[7];
    getArgs(env, info, 7, a);
    const Heap heap = heapArg(env, a[0]);
    const long srcStride = countArg(env, a[2], "source stride");
    const long dstStride = countArg(env, a[4], "target stride");
    const long rows = countArg(env, a[5], "rows");
    const long len = countArg(env, a[6], "row length");
    if (len > srcStride || len > dstStride) throw Failure{"retina_native: copyRows rows overlap"};
    const float* src = heap.at(numberArg(env, a[1], "source"), double(rows - 1) * srcStride + len, "source");
    float* dst = heap.at(numberArg(env, a[3], "target"), double(rows - 1) * dstStride + len, "target");
    copyRows(src, srcStride, dst, dstStride, rows, len);
  });
}

// maxPoolGrad(heap, xOff, dyOff, dxOff, [n,h,w,c,fh,fw,sh,sw,padTop,padLeft,ho,wo])
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value a[5];
    getArgs(env, info, 5, a);
    const Heap heap = heapArg(env, a[0]);
    long f[12];
    for (uint32_t i = 0; i < 12; i++) {
      napi_value e;
      check(napi_get_element(env, a[4], i, &e), "pool geometry");
      f[i] = static_cast<long>(numberArg(env, e, "pool geometry"));
    }
    const PoolGeometry g{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11]};
    if (!(g.n > 0 && g.h > 0 && g.w > 0 && g.c > 0 && g.fh > 0 && g.fw > 0 && g.sh > 0 && g.sw > 0 && g.ho > 0 &&
          g.wo > 0 && g.padTop >= 0 && g.padLeft >= 0))
      throw Failure{"retina_native: invalid pooling geometry"};
    const float* x = heap.at(numberArg(env, a[1], "x"), double(g.n) * g.h * g.w * g.c, "x");
    const float* dy = heap.at(numberArg(env, a[2], "dy"), double(g.n) * g.ho * g.wo * g.c, "dy");
    float* dx = heap.at(numberArg(env, a[3], "dx"), double(g.n) * g.h * g.w * g.c, "dx");
    maxPoolGrad(x, dy, dx, g);
  });
}

napi_value stringValue(napi_env env, const char* s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

// isa(): the instruction set in use on this thread.
napi_value Isa(napi_env env, napi_callback_info) { return stringValue(env, active->name); }

// availableIsas(): every path this CPU can run, best first.
napi_value AvailableIsas(napi_env env, napi_callback_info) {
  napi_value arr;
  napi_create_array(env, &arr);
  uint32_t i = 0;
  const KernelTable* order[] = {kAvx512Kernels, kAvx2Kernels, &kScalarKernels};
  bool reached = false;
  for (const KernelTable* t : order) {
    if (t == kBest) reached = true;
    if (reached && t) napi_set_element(env, arr, i++, stringValue(env, t->name));
  }
  return arr;
}

// useIsa(name): switches this thread's path ('auto' = the best); throws for a path the CPU cannot run.
napi_value UseIsa(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value a[1];
    getArgs(env, info, 1, a);
    char name[16] = {0};
    size_t len = 0;
    check(napi_get_value_string_utf8(env, a[0], name, sizeof name, &len), "isa name");
    const KernelTable* order[] = {kAvx512Kernels, kAvx2Kernels, &kScalarKernels};
    if (std::strcmp(name, "auto") == 0) {
      active = kBest;
      return;
    }
    bool reached = false;
    for (const KernelTable* t : order) {
      if (t == kBest) reached = true;
      if (reached && t && std::strcmp(t->name, name) == 0) {
        active = t;
        return;
      }
    }
    throw Failure{std::string("retina_native: instruction set ") + name + " is not available on this CPU"};
  });
}

}  // namespace
}  // namespace retina

NAPI_MODULE_INIT() {
  using namespace retina;
  const napi_property_descriptor props[] = {
      {"conv2d", nullptr, Conv2d, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropInput", nullptr, Conv2dBackpropInput, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropFilter", nullptr, Conv2dBackpropFilter, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"bnMoments", nullptr, BnMoments, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"bnNormalize", nullptr, BnNormalize, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"bnTrainGrad", nullptr, BnTrainGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"copyRows", nullptr, CopyRows, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"maxPoolGrad", nullptr, MaxPoolGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"isa", nullptr, Isa, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"availableIsas", nullptr, AvailableIsas, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"useIsa", nullptr, UseIsa, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
