// Convolution test cases shared by the wasm-kernel and native-kernel tests: a shape and its output size.
import { tf } from '../../main/ml/tf.js';

export interface ConvCase {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: number;
  s: number;
  pad: 'same' | 'valid';
}

/** Output height and width of a case, as tfjs computes them. */
export function convOutputSize(c: ConvCase): { ho: number; wo: number } {
  const info = tf.backend_util.computeConv2DInfo(
    [c.n, c.h, c.w, c.ci],
    [c.k, c.k, c.ci, c.co],
    c.s,
    1,
    c.pad,
  );
  return { ho: info.outHeight, wo: info.outWidth };
}
