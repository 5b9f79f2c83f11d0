// Memory-bound helpers with no instruction-set variants: strided row copies (Concat / SplitV along any axis) and
// the max-pool gradient. The compiler's baseline vectorisation is enough: they are limited by memory traffic.
#include <cmath>
#include <cstring>

#include "kernels.h"

namespace retina {

void copyRows(const float* src, long srcStride, float* dst, long dstStride, long rows, long len) {
  for (long r = 0; r < rows; r++) std::memcpy(dst + r * dstStride, src + r * srcStride, sizeof(float) * len);
}

void maxPoolGrad(const float* x, const float* dy, float* dx, const PoolGeometry& g) {
  std::memset(dx, 0, sizeof(float) * g.n * g.h * g.w * g.c);
  for (long b = 0; b < g.n; b++)
    for (long i = 0; i < g.ho; i++) {
      const long r0 = i * g.sh - g.padTop;
      const long rs = r0 > 0 ? r0 : 0;
      const long re = r0 + g.fh < g.h ? r0 + g.fh : g.h;
      for (long j = 0; j < g.wo; j++) {
        const long q0 = j * g.sw - g.padLeft;
        const long qs = q0 > 0 ? q0 : 0;
        const long qe = q0 + g.fw < g.w ? q0 + g.fw : g.w;
        const float* grad = dy + ((b * g.ho + i) * g.wo + j) * g.c;
        for (long k = 0; k < g.c; k++) {
          // The first position holding the window's maximum gets the gradient (as on the cpu backend); `at < 0`
          // also gives windows of NaN or -Infinity an owner.
          float best = -INFINITY;
          long at = -1;
          for (long r = rs; r < re; r++)
            for (long q = qs; q < qe; q++) {
              const long idx = ((b * g.h + r) * g.w + q) * g.c + k;
              const float v = x[idx];
              if (v > best || at < 0) {
                best = v;
                at = idx;
              }
            }
          if (at >= 0) dx[at] += grad[k];
        }
      }
    }
}

}  // namespace retina
