// Per-image quality scores from the per-pixel error probabilities: what a reviewer triages by.

/** Mean error probability inside the field of view (0 when the field is empty). */
export function meanInside(u: Float32Array, fov: Uint8Array): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < u.length; i++) {
    if (!fov[i]) continue;
    s += u[i];
    n++;
  }
  return n ? s / n : 0;
}

/**
 * The F1 the mask is expected to score against a careful annotator, if `u` is the calibrated probability that
 * each pixel is wrong: a mask pixel is a true positive with probability 1 - u and a false positive with u; a
 * background pixel is a missed vessel with u. F1 = 2 TP / (2 TP + FP + FN) with the expected counts (a ratio of
 * expectations: close to the expected ratio for the hundreds of thousands of pixels of an image).
 */
export function expectedF1(u: Float32Array, mask: Uint8Array, fov: Uint8Array): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < u.length; i++) {
    if (!fov[i]) continue;
    if (mask[i]) {
      tp += 1 - u[i];
      fp += u[i];
    } else fn += u[i];
  }
  const d = 2 * tp + fp + fn;
  return d > 0 ? (2 * tp) / d : 0;
}
