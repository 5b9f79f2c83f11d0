// The convolution kernels, written once over a vector type V and included by each instruction-set translation unit
// (conv_scalar.cc, conv_avx2.cc, conv_avx512.cc) inside its own namespace, after that unit's `#pragma GCC target`.
// No standard-library templates are used below: an instantiation compiled for AVX-512 could otherwise be merged by
// the linker with the portable one and run on a CPU without it.
//
// All three convolutions are GEMMs whose small micro-kernels keep an MR x NR output tile in registers:
//  - kernN: C[MR, NR] = A[MR, k] * B[k, NR], A rows at a stride `lda` (im2col rows of the input, or dy rows),
//    B packed k-major in panels NR wide (filter, zero-padded to the vector width);
//  - kernT: C[MR, NR] += sum over pixels p of A[p, i] * B[p, j], where A is read straight from the (padded) input,
//    MR consecutive floats per pixel, and B straight from dy: the filter gradient without any im2col copy.
// V supplies: T, L (floats per vector), zero, load, store, bcast, fma(a, b, c) = a*b + c, add.
//
// Expects: V, kMR2 / kMR1 (tile rows for panels of 2 and 1 vectors), and <cstring> / <cstdint> already included.

namespace {

constexpr long VL = V::L;

inline long roundUp(long v, long m) { return (v + m - 1) / m * m; }
inline long minL(long a, long b) { return a < b ? a : b; }
inline long maxL(long a, long b) { return a > b ? a : b; }

// ---------------------------------------------------------------------------------------------------------------
// Micro-kernels

/** The reduction of kernN as `count` runs of `len` consecutive floats per A row, `stride` floats apart. */
struct Seg {
  long count, stride, len;
};

template <int MR, int NV>
inline void kernN(const Seg& sg, const float* a, long lda, const float* b, float* c, long ldc, bool accumulate) {
  typename V::T s[MR][NV];
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) s[i][v] = V::zero();
  for (long g = 0; g < sg.count; g++, a += sg.stride, b += sg.len * NV * VL) {
    for (long k = 0; k < sg.len; k++) {
      typename V::T bv[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) bv[v] = V::load(b + k * NV * VL + v * VL);
#pragma GCC unroll 32
      for (int i = 0; i < MR; i++) {
        typename V::T ai = V::bcast(a[i * lda + k]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++) s[i][v] = V::fma(ai, bv[v], s[i][v]);
      }
    }
  }
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) {
      float* p = c + i * ldc + v * VL;
      V::store(p, accumulate ? V::add(V::load(p), s[i][v]) : s[i][v]);
    }
}

template <int MR, int NV>
inline void kernT(long rows, const long* offA, const long* offB, long cols, const float* a, long lda,
                  const float* b, long ldb, float* c, long ldc, bool accumulate) {
  typename V::T s[MR][NV];
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) s[i][v] = accumulate ? V::load(c + i * ldc + v * VL) : V::zero();
  for (long r = 0; r < rows; r++) {
    const float* pa = a + offA[r];
    const float* pb = b + offB[r];
    for (long m = 0; m < cols; m++) {
      typename V::T bv[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) bv[v] = V::load(pb + m * ldb + v * VL);
      const float* am = pa + m * lda;
#pragma GCC unroll 32
      for (int i = 0; i < MR; i++) {
        typename V::T ai = V::bcast(am[i]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++) s[i][v] = V::fma(ai, bv[v], s[i][v]);
      }
    }
  }
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) V::store(c + i * ldc + v * VL, s[i][v]);
}

// Run-time tile height -> template instance.
template <int NV, int M>
struct DispatchN {
  static void run(int mr, const Seg& sg, const float* a, long lda, const float* b, float* c, long ldc, bool acc) {
    if (mr == M)
      kernN<M, NV>(sg, a, lda, b, c, ldc, acc);
    else
      DispatchN<NV, M - 1>::run(mr, sg, a, lda, b, c, ldc, acc);
  }
};
template <int NV>
struct DispatchN<NV, 0> {
  static void run(int, const Seg&, const float*, long, const float*, float*, long, bool) {}
};

template <int NV, int M>
struct DispatchT {
  static void run(int mr, long rows, const long* offA, const long* offB, long cols, const float* a, long lda,
                  const float* b, long ldb, float* c, long ldc, bool acc) {
    if (mr == M)
      kernT<M, NV>(rows, offA, offB, cols, a, lda, b, ldb, c, ldc, acc);
    else
      DispatchT<NV, M - 1>::run(mr, rows, offA, offB, cols, a, lda, b, ldb, c, ldc, acc);
  }
};
template <int NV>
struct DispatchT<NV, 0> {
  static void run(int, long, const long*, const long*, long, const float*, long, const float*, long, float*, long,
                  bool) {}
};

inline int maxRows(int nv) { return nv == 2 ? kMR2 : kMR1; }

/** Panel width (in vectors) for the panel starting at column j0 of a row padded to `npad` columns. */
inline int panelVectors(long j0, long npad) { return npad - j0 >= 2 * VL ? 2 : 1; }

/**
 * C tile [mr, valid] (row stride ldc) = A[mr, kc] * Bpanel, or += when `accumulate`. Panels narrower than the
 * vector multiple (the last columns of an output whose width is not a multiple of VL) go through a local tile.
 */
inline void tileN(int mr, int nv, long valid, const Seg& sg, const float* a, long lda, const float* b, float* c,
                  long ldc, bool accumulate) {
  if (valid == nv * VL) {
    if (nv == 2)
      DispatchN<2, kMR2>::run(mr, sg, a, lda, b, c, ldc, accumulate);
    else
      DispatchN<1, kMR1>::run(mr, sg, a, lda, b, c, ldc, accumulate);
    return;
  }
  alignas(64) float tmp[kMR1 * 2 * VL];
  const long tl = nv * VL;
  if (nv == 2)
    DispatchN<2, kMR2>::run(mr, sg, a, lda, b, tmp, tl, false);
  else
    DispatchN<1, kMR1>::run(mr, sg, a, lda, b, tmp, tl, false);
  for (int i = 0; i < mr; i++)
    for (long j = 0; j < valid; j++) c[i * ldc + j] = accumulate ? c[i * ldc + j] + tmp[i * tl + j] : tmp[i * tl + j];
}

// ---------------------------------------------------------------------------------------------------------------
// Layout helpers

/** Vector copy (libc memcpy costs a call per short run, and im2col copies millions of runs of 3*ci floats). */
inline void copyFloats(float* dst, const float* src, long n) {
  long j = 0;
  for (; j + VL <= n; j += VL) V::store(dst + j, V::load(src + j));
  for (; j < n; j++) dst[j] = src[j];
}

/**
 * Packs rows [k0, k0+kn) of B (K rows in all) into panels: the panel at column j0 is k-major, nv*VL wide and
 * zero-padded past column n. `at(k, j)` is B's element; panels start at dst + j0*K.
 */
template <typename At>
inline void packBRows(At at, long K, long k0, long kn, long n, float* dst) {
  const long npad = roundUp(n, VL);
  for (long j0 = 0; j0 < npad;) {
    const long w = panelVectors(j0, npad) * VL;
    float* p = dst + j0 * K;
    for (long kk = k0; kk < k0 + kn; kk++)
      for (long j = 0; j < w; j++) p[kk * w + j] = j0 + j < n ? at(kk, j0 + j) : 0.0f;
    j0 += w;
  }
}

/** B[k][j] = src[k*ld + j] (a row-major matrix, e.g. a filter [kh*kw*ci, co]). */
inline void packB(const float* src, long K, long n, long ld, float* dst) {
  packBRows([=](long k, long j) { return src[k * ld + j]; }, K, 0, K, n, dst);
}

/**
 * Rows [k0, k0+kn) of B with B[k0+r][j] = src[j*ld + r]: a transposed matrix, packed in 16x16 blocks so that
 * both the strided reads and the writes stay in L1 (a filter transposition of 2.4 MB otherwise dominates).
 */
inline void packBTransposedRows(const float* src, long ld, long K, long k0, long kn, long n, float* dst) {
  const long npad = roundUp(n, VL);
  for (long j0 = 0; j0 < npad;) {
    const long w = panelVectors(j0, npad) * VL;
    float* p = dst + j0 * K + k0 * w;
    for (long r0 = 0; r0 < kn; r0 += 16) {
      const long r1 = minL(kn, r0 + 16);
      for (long j = 0; j < w; j++) {
        if (j0 + j < n) {
          const float* s = src + (j0 + j) * ld;
          for (long r = r0; r < r1; r++) p[r * w + j] = s[r];
        } else {
          for (long r = r0; r < r1; r++) p[r * w + j] = 0.0f;
        }
      }
    }
    j0 += w;
  }
}

/** Zero-padded copy of x [n,h,w,c] as [n,hp,wp,c] with x's origin at (pt, pl); rows/columns outside are dropped. */
inline void padInput(const float* x, long n, long h, long w, long c, long pt, long pl, long hp, long wp, float* out) {
  const long c0 = maxL(0, -pl);
  const long c1 = minL(w, wp - pl);
  for (long b = 0; b < n; b++)
    for (long r = 0; r < hp; r++) {
      float* row = out + (b * hp + r) * wp * c;
      const long i = r - pt;
      if (i < 0 || i >= h || c1 <= c0) {
        std::memset(row, 0, sizeof(float) * wp * c);
        continue;
      }
      std::memset(row, 0, sizeof(float) * (c0 + pl) * c);
      copyFloats(row + (c0 + pl) * c, x + ((b * h + i) * w + c0) * c, (c1 - c0) * c);
      std::memset(row + (c1 + pl) * c, 0, sizeof(float) * (wp - c1 - pl) * c);
    }
}

/** An input as the convolution reads it: padded (or x itself when no padding is needed). */
struct Padded {
  const float* data;
  long hp, wp;
};

inline Padded paddedInput(const float* x, const ConvGeometry& g, int slot) {
  const long needH = (g.ho - 1) * g.sh + (g.kh - 1) * g.dh + 1;
  const long needW = (g.wo - 1) * g.sw + (g.kw - 1) * g.dw + 1;
  const long hp = maxL(needH, g.padTop + g.h);
  const long wp = maxL(needW, g.padLeft + g.w);
  if (g.padTop == 0 && g.padLeft == 0 && hp == g.h && wp == g.w) return {x, g.h, g.w};
  float* buf = scratch(slot, static_cast<size_t>(g.n * hp * wp * g.ci));
  padInput(x, g.n, g.h, g.w, g.ci, g.padTop, g.padLeft, hp, wp, buf);
  return {buf, hp, wp};
}

inline void applyEpilogue(float* y, long rows, long co, const float* bias, Activation act) {
  if (!bias && act == Activation::Linear) return;
  for (long r = 0; r < rows; r++) {
    float* p = y + r * co;
    if (bias)
      for (long j = 0; j < co; j++) p[j] += bias[j];
    if (act == Activation::Relu)
      for (long j = 0; j < co; j++) p[j] = p[j] > 0.0f ? p[j] : 0.0f;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Forward convolution, times the packed filter [kh*kw*ci, co]. Wide outputs read the padded input in place: for
// an undilated filter the KW taps of one filter row are adjacent in NHWC memory, so a tile of output pixels in
// one row is kh runs of kw*ci floats per pixel. Narrow outputs (deep levels) gather im2col rows of a block of
// pixels first, so that tiles span rows and images and stay tall.

enum Slot { kSlotPad = 0, kSlotB = 1, kSlotA = 2, kSlotOut = 3, kSlotRows = 4, kSlotNorm = 5 };

inline void convForwardPacked(const float* x, const float* bp, const float* bias, float* y, const ConvGeometry& g,
                              Activation act) {
  const long K = g.kh * g.kw * g.ci;
  const long M = g.n * g.ho * g.wo;
  const long npad = roundUp(g.co, VL);
  const bool pointwise = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.padTop == 0 && g.padLeft == 0 &&
                         g.ho == g.h && g.wo == g.w;
  if (pointwise) {
    const Seg sg{1, 0, K};
    for (long j0 = 0; j0 < npad;) {
      const int nv = panelVectors(j0, npad);
      const long valid = minL(nv * VL, g.co - j0);
      const int mrMax = maxRows(nv);
      for (long r0 = 0; r0 < M; r0 += mrMax)
        tileN(static_cast<int>(minL(mrMax, M - r0)), nv, valid, sg, x + r0 * K, K, bp + j0 * K, y + r0 * g.co + j0,
              g.co, false);
      j0 += nv * VL;
    }
    applyEpilogue(y, M, g.co, bias, act);
    return;
  }
  const Padded xp = paddedInput(x, g, kSlotPad);
  if (g.dw == 1 && g.wo >= 2 * kMR2) {
    const Seg sg{g.kh, g.dh * xp.wp * g.ci, g.kw * g.ci};
    const long lda = g.sw * g.ci;
    for (long b = 0; b < g.n; b++)
      for (long oh = 0; oh < g.ho; oh++) {
        const float* arow = xp.data + ((b * xp.hp + oh * g.sh) * xp.wp) * g.ci;
        float* yrow = y + ((b * g.ho + oh) * g.wo) * g.co;
        for (long j0 = 0; j0 < npad;) {
          const int nv = panelVectors(j0, npad);
          const long valid = minL(nv * VL, g.co - j0);
          const int mrMax = maxRows(nv);
          for (long ow = 0; ow < g.wo; ow += mrMax)
            tileN(static_cast<int>(minL(mrMax, g.wo - ow)), nv, valid, sg, arow + ow * lda, lda, bp + j0 * K,
                  yrow + ow * g.co + j0, g.co, false);
          j0 += nv * VL;
        }
        applyEpilogue(yrow, g.wo, g.co, bias, act);
      }
    return;
  }
  // Output-pixel block: its im2col rows (~192 KB) stay in L2 while every filter panel passes over them.
  long mc = (192 * 1024 / 4) / K;
  mc = maxL(kMR1, mc / kMR1 * kMR1);
  float* a = scratch(kSlotA, static_cast<size_t>(mc * K));
  const long segLen = g.dw == 1 ? g.kw * g.ci : g.ci;
  const long segs = g.dw == 1 ? g.kh : g.kh * g.kw;
  const Seg sg{1, 0, K};
  for (long m0 = 0; m0 < M; m0 += mc) {
    const long mb = minL(mc, M - m0);
    for (long r = 0; r < mb; r++) {
      const long m = m0 + r;
      const long ow = m % g.wo;
      const long oh = (m / g.wo) % g.ho;
      const long b = m / (g.wo * g.ho);
      const float* base = xp.data + ((b * xp.hp + oh * g.sh) * xp.wp + ow * g.sw) * g.ci;
      float* dst = a + r * K;
      for (long s = 0; s < segs; s++) {
        const long i = g.dw == 1 ? s : s / g.kw;
        const long j = g.dw == 1 ? 0 : s % g.kw;
        copyFloats(dst + s * segLen, base + (i * g.dh * xp.wp + j * g.dw) * g.ci, segLen);
      }
    }
    for (long j0 = 0; j0 < npad;) {
      const int nv = panelVectors(j0, npad);
      const long valid = minL(nv * VL, g.co - j0);
      const int mrMax = maxRows(nv);
      for (long r0 = 0; r0 < mb; r0 += mrMax)
        tileN(static_cast<int>(minL(mrMax, mb - r0)), nv, valid, sg, a + r0 * K, K, bp + j0 * K,
              y + (m0 + r0) * g.co + j0, g.co, false);
      j0 += nv * VL;
    }
    applyEpilogue(y + m0 * g.co, mb, g.co, bias, act);
  }
}

void conv2d(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g, Activation act) {
  const long K = g.kh * g.kw * g.ci;
  float* bp = scratch(kSlotB, static_cast<size_t>(K * roundUp(g.co, VL)));
  packB(w, K, g.co, g.co, bp);
  convForwardPacked(x, bp, bias, y, g, act);
}

// ---------------------------------------------------------------------------------------------------------------
// Input gradient. Stride 1: a forward convolution of dy with the spatially flipped filter whose channel roles are
// swapped. Other strides (the 2x2 stride-2 transposed convolution): for every filter tap, dy rows times that tap's
// transposed filter, added into the dx pixels the tap reaches (no zero-stuffing, no wasted multiplications).

void conv2dBackpropInput(const float* dy, const float* w, float* dx, const ConvGeometry& g) {
  const long flipTop = g.kh - 1 - g.padTop;
  const long flipLeft = g.kw - 1 - g.padLeft;
  const long taps = g.kh * g.kw;
  if (g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 && flipTop >= 0 && flipLeft >= 0) {
    // Packed B[(a*kw+b)*co + o][c] = w[kh-1-a][kw-1-b][c][o]
    const long K = taps * g.co;
    float* bp = scratch(kSlotB, static_cast<size_t>(K * roundUp(g.ci, VL)));
    for (long t = 0; t < taps; t++)
      packBTransposedRows(w + (taps - 1 - t) * g.ci * g.co, g.co, K, t * g.co, g.co, g.ci, bp);
    const ConvGeometry f{g.n, g.ho, g.wo, g.co, g.kh, g.kw, g.ci, 1, 1, 1, 1, flipTop, flipLeft, g.h, g.w};
    convForwardPacked(dy, bp, nullptr, dx, f, Activation::Linear);
    return;
  }
  std::memset(dx, 0, sizeof(float) * g.n * g.h * g.w * g.ci);
  const long npad = roundUp(g.ci, VL);
  float* bp = scratch(kSlotB, static_cast<size_t>(g.co * npad));
  const Seg sg{1, 0, g.co};
  for (long ti = 0; ti < g.kh; ti++)
    for (long tj = 0; tj < g.kw; tj++) {
      // B[o][c] = w[ti][tj][c][o]
      packBTransposedRows(w + (ti * g.kw + tj) * g.ci * g.co, g.co, g.co, 0, g.co, g.ci, bp);
      // Output columns ow whose input column iw = ow*sw + tj*dw - padLeft lies inside [0, w).
      const long off = tj * g.dw - g.padLeft;
      long owLo = off >= 0 ? 0 : (-off + g.sw - 1) / g.sw;
      long owHi = g.w - 1 - off < 0 ? 0 : (g.w - 1 - off) / g.sw + 1;
      owHi = minL(owHi, g.wo);
      if (owHi <= owLo) continue;
      for (long b = 0; b < g.n; b++)
        for (long oh = 0; oh < g.ho; oh++) {
          const long ih = oh * g.sh + ti * g.dh - g.padTop;
          if (ih < 0 || ih >= g.h) continue;
          const float* arow = dy + ((b * g.ho + oh) * g.wo) * g.co;
          float* crow = dx + ((b * g.h + ih) * g.w) * g.ci;
          for (long j0 = 0; j0 < npad;) {
            const int nv = panelVectors(j0, npad);
            const long valid = minL(nv * VL, g.ci - j0);
            const int mrMax = maxRows(nv);
            for (long ow = owLo; ow < owHi; ow += mrMax) {
              const int mr = static_cast<int>(minL(mrMax, owHi - ow));
              tileN(mr, nv, valid, sg, arow + ow * g.co, g.co, bp + j0 * g.co, crow + (ow * g.sw + off) * g.ci + j0,
                    g.sw * g.ci, true);
            }
            j0 += nv * VL;
          }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Filter gradient: dw[k, o] = sum over output pixels p of im2col(x)[p, k] * dy[p, o]. For each filter row the
// k-range of an undilated filter is contiguous in x, so kernT reads MR consecutive floats per pixel directly from
// the padded input and dy rows directly; pixels go in blocks that stay in L2 while every tile passes over them.

void conv2dBackpropFilter(const float* x, const float* dy, float* dw, const ConvGeometry& g) {
  const Padded xp = paddedInput(x, g, kSlotPad);
  const long npad = roundUp(g.co, VL);
  const long K = g.kh * g.kw * g.ci;
  // dy with rows padded to whole vectors when co is not a multiple of VL.
  const float* dyp = dy;
  if (npad != g.co) {
    float* buf = scratch(kSlotA, static_cast<size_t>(g.n * g.ho * g.wo * npad));
    for (long p = 0; p < g.n * g.ho * g.wo; p++)
      for (long j = 0; j < npad; j++) buf[p * npad + j] = j < g.co ? dy[p * g.co + j] : 0.0f;
    dyp = buf;
  }
  float* out = npad == g.co ? dw : scratch(kSlotOut, static_cast<size_t>(K * npad));
  const long rows = g.n * g.ho;
  long* offs = reinterpret_cast<long*>(scratch(kSlotRows, static_cast<size_t>(rows * 2 * sizeof(long) / sizeof(float))));
  long* offA = offs;
  long* offB = offs + rows;
  for (long r = 0; r < rows; r++) {
    const long b = r / g.ho;
    const long oh = r % g.ho;
    offA[r] = ((b * xp.hp + oh * g.sh) * xp.wp) * g.ci;
    offB[r] = r * g.wo * npad;
  }
  const long rowsPerBlock = maxL(1, 256 / g.wo);
  const long segLen = g.dw == 1 ? g.kw * g.ci : g.ci;
  const long segs = g.dw == 1 ? g.kh : g.kh * g.kw;
  const long lda = g.sw * g.ci;
  for (long r0 = 0; r0 < rows; r0 += rowsPerBlock) {
    const long rb = minL(rowsPerBlock, rows - r0);
    const bool acc = r0 > 0;
    for (long s = 0; s < segs; s++) {
      const long i = g.dw == 1 ? s : s / g.kw;
      const long j = g.dw == 1 ? 0 : s % g.kw;
      const float* aseg = xp.data + (i * g.dh * xp.wp + j * g.dw) * g.ci;
      const long kbase = s * segLen;
      for (long j0 = 0; j0 < npad;) {
        const int nv = panelVectors(j0, npad);
        const int mrMax = maxRows(nv);
        for (long i0 = 0; i0 < segLen; i0 += mrMax) {
          const int mr = static_cast<int>(minL(mrMax, segLen - i0));
          float* c = out + (kbase + i0) * npad + j0;
          if (nv == 2)
            DispatchT<2, kMR2>::run(mr, rb, offA + r0, offB + r0, g.wo, aseg + i0, lda, dyp + j0, npad, c, npad, acc);
          else
            DispatchT<1, kMR1>::run(mr, rb, offA + r0, offB + r0, g.wo, aseg + i0, lda, dyp + j0, npad, c, npad, acc);
        }
        j0 += nv * VL;
      }
    }
  }
  if (out != dw)
    for (long k = 0; k < K; k++) std::memcpy(dw + k * g.co, out + k * npad, sizeof(float) * g.co);
}

}  // namespace
