// AVX2 + FMA kernels (8-float vectors, 6x16 and 12x8 register tiles). Compiled for that target only inside this
// file; the dispatcher calls them only when the CPU reports both features.
#include <cstdint>
#include <cstring>

#include "kernels.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#include <immintrin.h>

namespace retina {
namespace avx2_impl {

struct V {
  using T = __m256;
  static constexpr int L = 8;
  static inline T zero() { return _mm256_setzero_ps(); }
  static inline T load(const float* p) { return _mm256_loadu_ps(p); }
  static inline void store(float* p, T a) { _mm256_storeu_ps(p, a); }
  static inline T bcast(float f) { return _mm256_set1_ps(f); }
  static inline T fma(T a, T b, T c) { return _mm256_fmadd_ps(a, b, c); }
  static inline T add(T a, T b) { return _mm256_add_ps(a, b); }
};
constexpr int kMR2 = 6;
constexpr int kMR1 = 12;

#include "conv_impl.h"
#include "norm_impl.h"

const KernelTable table = {"avx2",        conv2d,      conv2dBackpropInput,
                           conv2dBackpropFilter, bnMoments, bnNormalize, bnTrainGrad};

}  // namespace avx2_impl
const KernelTable* const kAvx2Kernels = &avx2_impl::table;
}  // namespace retina
#pragma GCC pop_options

#else
namespace retina {
const KernelTable* const kAvx2Kernels = nullptr;
}
#endif
