// Runs an anatomy network over a whole frame of colour planes in one pass: the frames are small (the vessel
// network's canonical frame, about 0.3 MP, or a fraction of it), so no tiling is needed.
import type { Predictor } from '../types.js';
import { interleave } from './colour-input.js';
import { reflect } from '../image/patches.js';

/**
 * Which mirror images of the input the network also sees, their outputs unflipped and averaged: none, the image
 * turned half a turn (both axes flipped: every structure seen from the other side), or all four.
 */
export type FlipSet = 'none' | 'half-turn' | 'all';

const FLIPS: Record<FlipSet, [boolean, boolean][]> = {
  none: [[false, false]],
  'half-turn': [
    [false, false],
    [true, true],
  ],
  all: [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ],
};

/** One probability per pixel (width*height) for planes padded by reflection to a multiple of `multiple`. */
export async function predictPlanes(
  predictor: Predictor,
  planes: Float32Array[],
  width: number,
  height: number,
  multiple: number,
  flips: FlipSet = 'none',
): Promise<Float32Array> {
  const c = planes.length;
  const pw = Math.ceil(width / multiple) * multiple;
  const ph = Math.ceil(height / multiple) * multiple;
  const hwc = interleave(planes);
  const variants = FLIPS[flips];
  // One call per flip rather than one batch of four: the same outputs, and ONNX Runtime spent half as much CPU
  // again on the batch (a 4x544x560x3 input on 2 threads: 2.3 s against 1.5 s).
  const input = new Float32Array(pw * ph * c);
  const prob = new Float32Array(width * height);
  for (const [fh, fv] of variants) {
    for (let y = 0; y < ph; y++) {
      const sy0 = reflect(y, height);
      const sy = fv ? height - 1 - sy0 : sy0;
      for (let x = 0; x < pw; x++) {
        const sx0 = reflect(x, width);
        const sx = fh ? width - 1 - sx0 : sx0;
        const src = (sy * width + sx) * c;
        const dst = (y * pw + x) * c;
        for (let k = 0; k < c; k++) input[dst + k] = hwc[src + k];
      }
    }
    const out = await predictor.predict(input, 1, ph, pw, c);
    for (let y = 0; y < height; y++) {
      const oy = fv ? height - 1 - y : y;
      for (let x = 0; x < width; x++) {
        const ox = fh ? width - 1 - x : x;
        prob[y * width + x] += out[oy * pw + ox] / variants.length;
      }
    }
  }
  return prob;
}
