import assert from 'node:assert/strict';
import { test } from 'node:test';
import { predictZoomed } from '../../main/ml/anatomy/zoom-predict.js';
import type { Predictor } from '../../main/ml/types.js';

/** A "network" whose output at each pixel is f(first input plane's value, the input's width). */
function pointwise(f: (v: number, width: number) => number, widths: number[] = []): Predictor {
  return {
    engine: 'onnx',
    predict: async (input, n, height, width, channels) => {
      widths.push(width);
      const out = new Float32Array(n * height * width);
      for (let i = 0; i < out.length; i++) out[i] = f(input[i * channels], width);
      return out;
    },
    dispose: () => {},
  };
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
const logit = (p: number): number => Math.log(p / (1 - p));
const [W, H] = [40, 32];

test('zoom 1 alone is the network output as it is, to the bit', async () => {
  const plane = Float32Array.from({ length: W * H }, (_, i) => ((i * 13) % 17) / 17);
  const p = await predictZoomed(
    pointwise((v) => v),
    [plane],
    W,
    H,
    8,
    { zooms: [1], flips: 'none' },
  );
  assert.deepEqual(Array.from(p), Array.from(plane));
});

test('each zoom runs at its own size and the outputs are averaged as logits, not as probabilities', async () => {
  // The output depends on the size shown: 0.9 enlarged, 0.2 shrunk, 0.5 as is.
  const widths: number[] = [];
  const net = pointwise((_v, width) => (width > W ? 0.9 : width < W ? 0.2 : 0.5), widths);
  const plane = new Float32Array(W * H);
  const p = await predictZoomed(net, [plane], W, H, 4, { zooms: [0.9, 1, 1.1], flips: 'none' });
  assert.deepEqual(widths, [36, 40, 44]);
  const want = sigmoid((logit(0.2) + logit(0.5) + logit(0.9)) / 3);
  assert.ok(Math.abs(want - (0.2 + 0.5 + 0.9) / 3) > 0.01, 'the two means differ');
  for (const v of p) assert.ok(Math.abs(v - want) < 1e-5, `${v} against ${want}`);
});

test('a structure stays where it is: the zoomed outputs are resampled back onto the frame', async () => {
  // A bright square; the network passes its input through as a probability.
  const plane = new Float32Array(W * H).fill(0.1);
  for (let y = 20; y < 24; y++) for (let x = 8; x < 12; x++) plane[y * W + x] = 0.9;
  const p = await predictZoomed(
    pointwise((v) => v),
    [plane],
    W,
    H,
    8,
    {
      zooms: [0.8, 1, 1.25],
      flips: 'half-turn',
    },
  );
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
  const [bx, by] = [best % W, Math.floor(best / W)];
  assert.ok(bx >= 8 && bx < 12 && by >= 20 && by < 24, `peak at ${bx},${by}`);
  assert.ok(p[0] < 0.2 && p[22 * W + 10] > 0.8);
});

test('a plan without zooms, or with a zoom that is not positive, is refused', async () => {
  await assert.rejects(
    predictZoomed(
      pointwise((v) => v),
      [new Float32Array(W * H)],
      W,
      H,
      8,
      { zooms: [], flips: 'none' },
    ),
    /at least one zoom/,
  );
  await assert.rejects(
    predictZoomed(
      pointwise((v) => v),
      [new Float32Array(W * H)],
      W,
      H,
      8,
      { zooms: [1, 0], flips: 'none' },
    ),
    /zooms must be positive numbers \(1, 0\)/,
  );
});
