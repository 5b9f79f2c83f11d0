// Interface between the N-API glue and the per-instruction-set convolution implementations. Plain C++ types only.
#pragma once
#include <cstddef>

namespace retina {

/** NHWC convolution geometry: input [n,h,w,ci], filter [kh,kw,ci,co], output [n,ho,wo,co]. */
struct ConvGeometry {
  long n, h, w, ci, kh, kw, co, sh, sw, dh, dw, padTop, padLeft, ho, wo;
};

/** NHWC pooling geometry: input [n,h,w,c], window fh x fw, output [n,ho,wo,c]. */
struct PoolGeometry {
  long n, h, w, c, fh, fw, sh, sw, padTop, padLeft, ho, wo;
};

enum class Activation { Linear = 0, Relu = 1 };

/** One instruction set's kernels. Every entry is single-threaded and writes its whole output. */
struct KernelTable {
  const char* name;
  /** y = act(conv(x, w) + bias); bias may be null. */
  void (*conv2d)(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g, Activation act);
  /** dx = gradient of conv2d w.r.t. its input (also the forward pass of a transposed convolution). */
  void (*conv2dBackpropInput)(const float* dy, const float* w, float* dx, const ConvGeometry& g);
  /** dw = gradient of conv2d w.r.t. its filter. */
  void (*conv2dBackpropFilter)(const float* x, const float* dy, float* dw, const ConvGeometry& g);
  /** Per-channel batch mean and biased variance of x [rows, c]. */
  void (*bnMoments)(const float* x, long rows, long c, float* mean, float* variance);
  /** y = (x - mean) / sqrt(variance + eps) * gamma + beta. */
  void (*bnNormalize)(const float* x, long rows, long c, const float* mean, const float* variance, const float* gamma,
                      const float* beta, float eps, float* y);
  /** Training-mode gradients of bnNormalize w.r.t. x, gamma and beta. */
  void (*bnTrainGrad)(const float* dy, const float* x, long rows, long c, const float* mean, const float* variance,
                      const float* gamma, float eps, float* dx, float* dgamma, float* dbeta);
};

extern const KernelTable kScalarKernels;
/** Null when the build has no such code path (non-x86 or non-GCC/Clang compilers). */
extern const KernelTable* const kAvx2Kernels;
extern const KernelTable* const kAvx512Kernels;

/** dst[r*dstStride + j] = src[r*srcStride + j] for r < rows, j < len. */
void copyRows(const float* src, long srcStride, float* dst, long dstStride, long rows, long len);

/** Max-pool gradient: each dy goes to the first position holding its window's maximum. */
void maxPoolGrad(const float* x, const float* dy, float* dx, const PoolGeometry& g);

/** Per-thread scratch buffers (64-byte aligned, grown on demand, kept for the thread's lifetime). */
float* scratch(int slot, size_t floats);
constexpr int kScratchSlots = 6;

}  // namespace retina
