// Interface between the N-API glue and the per-instruction-set convolution implementations. Plain C++ types only.
#pragma once
#include <cstddef>

namespace retina {

/** NHWC convolution geometry: input [n,h,w,ci], filter [kh,kw,ci,co], output [n,ho,wo,co]. */
struct ConvGeometry {
  long n, h, w, ci, kh, kw, co, sh, sw, dh, dw, padTop, padLeft, ho, wo;
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
};

extern const KernelTable kScalarKernels;
/** Null when the build has no such code path (non-x86 or non-GCC/Clang compilers). */
extern const KernelTable* const kAvx2Kernels;
extern const KernelTable* const kAvx512Kernels;

/** Per-thread scratch buffers (64-byte aligned, grown on demand, kept for the thread's lifetime). */
float* scratch(int slot, size_t floats);
constexpr int kScratchSlots = 6;

}  // namespace retina
