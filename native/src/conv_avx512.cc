// AVX-512 kernels (16-float vectors, 12x32 and 24x16 register tiles out of 32 vector registers). Compiled for that
// target only inside this file; the dispatcher calls them only when the CPU reports AVX-512 F.
#include <cstdint>
#include <cstring>

#include "kernels.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
#include <immintrin.h>

namespace retina {
namespace avx512_impl {

struct V {
  using T = __m512;
  static constexpr int L = 16;
  static inline T zero() { return _mm512_setzero_ps(); }
  static inline T load(const float* p) { return _mm512_loadu_ps(p); }
  static inline void store(float* p, T a) { _mm512_storeu_ps(p, a); }
  static inline T bcast(float f) { return _mm512_set1_ps(f); }
  static inline T fma(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }
  static inline T add(T a, T b) { return _mm512_add_ps(a, b); }
};
constexpr int kMR2 = 12;
constexpr int kMR1 = 24;

#include "conv_impl.h"
#include "norm_impl.h"

const KernelTable table = {"avx512",        conv2d,      conv2dBackpropInput,
                           conv2dBackpropFilter, bnMoments, bnNormalize, bnTrainGrad};

}  // namespace avx512_impl
const KernelTable* const kAvx512Kernels = &avx512_impl::table;
}  // namespace retina
#pragma GCC pop_options

#else
namespace retina {
const KernelTable* const kAvx512Kernels = nullptr;
}
#endif
