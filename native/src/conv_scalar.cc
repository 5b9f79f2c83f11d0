// Portable kernels: the same code as the SIMD paths over a 4-float "vector" of plain floats, which the compiler
// maps to whatever the baseline target offers. Used when the CPU has neither AVX2+FMA nor AVX-512.
#include <cstdint>
#include <cstring>

#include "kernels.h"

namespace retina {
namespace scalar_impl {

struct V {
  struct T {
    float v[4];
  };
  static constexpr int L = 4;
  static inline T zero() { return T{{0.0f, 0.0f, 0.0f, 0.0f}}; }
  static inline T load(const float* p) { return T{{p[0], p[1], p[2], p[3]}}; }
  static inline void store(float* p, T a) {
    for (int i = 0; i < 4; i++) p[i] = a.v[i];
  }
  static inline T bcast(float f) { return T{{f, f, f, f}}; }
  static inline T fma(T a, T b, T c) {
    for (int i = 0; i < 4; i++) c.v[i] += a.v[i] * b.v[i];
    return c;
  }
  static inline T add(T a, T b) {
    for (int i = 0; i < 4; i++) a.v[i] += b.v[i];
    return a;
  }
};
constexpr int kMR2 = 4;
constexpr int kMR1 = 8;

#include "conv_impl.h"
#include "norm_impl.h"

}  // namespace scalar_impl

const KernelTable kScalarKernels = {"scalar",
                                    scalar_impl::conv2d,
                                    scalar_impl::conv2dBackpropInput,
                                    scalar_impl::conv2dBackpropFilter,
                                    scalar_impl::bnMoments,
                                    scalar_impl::bnNormalize,
                                    scalar_impl::bnTrainGrad};

}  // namespace retina
