// Training-mode batch normalisation over the last axis of channel-last data, included by each instruction-set
// translation unit like conv_impl.h (plain loops: the compiler vectorises them for that unit's target). Sums are
// accumulated in double per channel, as the JS kernels they replace do.

namespace {

void bnMoments(const float* x, long rows, long c, float* mean, float* variance) {
  double* sum = reinterpret_cast<double*>(scratch(kSlotNorm, static_cast<size_t>(4 * c)));
  double* sq = sum + c;
  for (long k = 0; k < c; k++) sum[k] = sq[k] = 0.0;
  for (long r = 0; r < rows; r++) {
    const float* p = x + r * c;
    for (long k = 0; k < c; k++) {
      const double v = p[k];
      sum[k] += v;
      sq[k] += v * v;
    }
  }
  for (long k = 0; k < c; k++) {
    const double m = sum[k] / rows;
    const double var = sq[k] / rows - m * m;
    mean[k] = static_cast<float>(m);
    variance[k] = static_cast<float>(var > 0.0 ? var : 0.0);
  }
}

void bnNormalize(const float* x, long rows, long c, const float* mean, const float* variance, const float* gamma,
                 const float* beta, float eps, float* y) {
  float* scale = scratch(kSlotNorm, static_cast<size_t>(2 * c));
  float* shift = scale + c;
  for (long k = 0; k < c; k++) {
    const double s = gamma[k] / __builtin_sqrt(static_cast<double>(variance[k]) + eps);
    scale[k] = static_cast<float>(s);
    shift[k] = static_cast<float>(beta[k] - mean[k] * static_cast<double>(scale[k]));
  }
  for (long r = 0; r < rows; r++) {
    const float* p = x + r * c;
    float* q = y + r * c;
    for (long k = 0; k < c; k++) q[k] = p[k] * scale[k] + shift[k];
  }
}

/** Gradients w.r.t. x, gamma and beta, the batch statistics' dependence on x included. */
void bnTrainGrad(const float* dy, const float* x, long rows, long c, const float* mean, const float* variance,
                 const float* gamma, float eps, float* dx, float* dgamma, float* dbeta) {
  double* sumDy = reinterpret_cast<double*>(scratch(kSlotNorm, static_cast<size_t>(4 * c + 3 * c)));
  double* sumDyX = sumDy + c;
  float* coef = reinterpret_cast<float*>(sumDyX + c);
  float* a = coef;
  float* bx = coef + c;
  float* c0 = coef + 2 * c;
  for (long k = 0; k < c; k++) sumDy[k] = sumDyX[k] = 0.0;
  for (long r = 0; r < rows; r++) {
    const float* g = dy + r * c;
    const float* p = x + r * c;
    for (long k = 0; k < c; k++) {
      const double d = g[k];
      sumDy[k] += d;
      sumDyX[k] += d * p[k];
    }
  }
  // dx = gamma*inv * (dy - mean(dy) - xhat * mean(dy*xhat)) = a*dy + bx*x + c0 per channel.
  for (long k = 0; k < c; k++) {
    const double inv = 1.0 / __builtin_sqrt(static_cast<double>(variance[k]) + eps);
    const double sDyXhat = (sumDyX[k] - mean[k] * sumDy[k]) * inv;
    dbeta[k] = static_cast<float>(sumDy[k]);
    dgamma[k] = static_cast<float>(sDyXhat);
    const double gi = gamma[k] * inv;
    const double mDy = sumDy[k] / rows;
    const double mDyXhat = sDyXhat / rows;
    a[k] = static_cast<float>(gi);
    bx[k] = static_cast<float>(-gi * mDyXhat * inv);
    c0[k] = static_cast<float>(-gi * mDy + gi * mDyXhat * inv * mean[k]);
  }
  for (long r = 0; r < rows; r++) {
    const float* g = dy + r * c;
    const float* p = x + r * c;
    float* q = dx + r * c;
    for (long k = 0; k < c; k++) q[k] = a[k] * g[k] + bx[k] * p[k] + c0[k];
  }
}

}  // namespace
