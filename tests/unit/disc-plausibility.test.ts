// implausibleDisc, each of its four refusals on a synthetic segmentation: a disc of 80 px at the centre of a
// 400x400 image with six 6-px vessels converging on it passes; without the vessels, faint, at a size no disc has in
// an aperture's frame, or a few vessel widths across, it is refused with the reason.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { implausibleDisc, type NativeDisc } from '../../main/ml/anatomy/optic-disc.js';
import type { Segmentation } from '../../main/ml/infer.js';
import type { Frame } from '../../main/ml/frame/canonical-frame.js';

const N = 400;

/** A mask of `lines` straight vessels 6 px wide through the image's centre (none: an empty mask). */
function segmentation(lines: number): Segmentation {
  const mask = new Uint8Array(N * N);
  for (let k = 0; k < lines; k++) {
    const a = (k * Math.PI) / lines;
    for (let y = 0; y < N; y++) {
      for (let x = 0; x < N; x++) {
        const d = Math.abs((x - N / 2) * Math.sin(a) - (y - N / 2) * Math.cos(a));
        if (d < 3) mask[y * N + x] = 1;
      }
    }
  }
  return {
    width: N,
    height: N,
    prob: Float32Array.from(mask),
    mask,
    fov: { width: N, height: N, data: new Uint8Array(N * N).fill(1) },
    threshold: 0.5,
    frame: null,
    warnings: [],
  };
}

function frame(scale: number, aperture: boolean): Frame {
  return {
    native: { width: N, height: N },
    x0: 0,
    y0: 0,
    x1: N,
    y1: N,
    width: Math.round(N * scale),
    height: Math.round(N * scale),
    scale,
    identity: scale === 1,
    circle: aperture ? { cx: N / 2, cy: N / 2, r: N / 2 - 2, points: 1000, residual: 0.5 } : null,
    warnings: [],
  };
}

const disc: NativeDisc = { x: N / 2, y: N / 2, diameter: 80, confidence: 0.8 };

describe('implausibleDisc', () => {
  test('a disc of typical size, confident, with vessels converging on it, passes', () => {
    assert.equal(implausibleDisc(disc, segmentation(6), frame(1, true)), null);
    assert.equal(implausibleDisc(disc, segmentation(6), frame(1, false)), null);
  });

  test('refused where few vessels converge on it', () => {
    assert.match(
      implausibleDisc(disc, segmentation(0), frame(1, true)) ?? '',
      /few vessels converge .* \(0% /,
    );
  });

  test('refused when faint', () => {
    const faint = { ...disc, confidence: 0.2 };
    assert.match(
      implausibleDisc(faint, segmentation(6), frame(1, true)) ?? '',
      /faint \(mean probability 0\.20\)/,
    );
  });

  test("refused, with an aperture, at a size far from a disc's in the frame", () => {
    assert.match(
      implausibleDisc(disc, segmentation(6), frame(0.3, true)) ?? '',
      /24 px across where a disc is about 86/,
    );
    // Without an aperture the frame's scale is only a guess: the same disc passes.
    assert.equal(implausibleDisc(disc, segmentation(6), frame(0.3, false)), null);
  });

  test('refused when only a few vessel widths across', () => {
    const speck = { ...disc, diameter: 20 };
    assert.match(
      implausibleDisc(speck, segmentation(6), frame(1, false)) ?? '',
      /vessel widths across where a disc is 10-40/,
    );
  });
});
