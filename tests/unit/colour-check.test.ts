// Whether a photograph has colour to tell arteries from veins by: grey ones (one channel, or R = G = B as red-free
// photographs are often saved) and green-only ones have none; JPEG's small chroma noise does not count as colour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import path from 'node:path';
import { lacksColour } from '../../main/ml/anatomy/colour-input.js';
import { decodeImage, readImage } from '../../main/ml/io/image-io.js';
import { deriveFov } from '../../main/ml/image/fov.js';
import type { RasterImage } from '../../main/ml/types.js';
import { repoRoot } from '../e2e/model-fixture.js';

const SAMPLE = path.join(repoRoot, 'resources', 'samples', 'fundus-normal-left-eye-cc0.jpg');

async function decoded(buffer: Buffer): Promise<RasterImage> {
  const { data, info } = await sharp(buffer).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, bitDepth: 8, data };
}

test('the colour sample has colour; its grey copies, as one channel or three, have none', async () => {
  const colour = await readImage(SAMPLE);
  const fov = deriveFov(colour);
  assert.equal(lacksColour(colour, fov), false);
  const oneChannel: RasterImage = {
    ...colour,
    channels: 1,
    data: Uint8Array.from({ length: colour.width * colour.height }, (_, i) => colour.data[i * 3 + 1]),
  };
  assert.equal(lacksColour(oneChannel, fov), true);
  const greyJpeg = await decoded(
    await sharp(SAMPLE).greyscale().toColourspace('srgb').jpeg({ quality: 70 }).toBuffer(),
  );
  assert.equal(greyJpeg.channels, 3);
  assert.equal(lacksColour(greyJpeg, fov), true);
});

test('a photograph kept in green alone (a red-free one) lacks colour; one with little blue does not', async () => {
  const colour = await readImage(SAMPLE);
  const fov = deriveFov(colour);
  // Each channel of the sample scaled by its own factor (red, green, blue), through JPEG.
  const scaled = async (r: number, g: number, b: number) =>
    decodeImage(
      await sharp(SAMPLE)
        .recomb([
          [r, 0, 0],
          [0, g, 0],
          [0, 0, b],
        ])
        .jpeg({ quality: 80 })
        .toBuffer(),
      `sample x ${r},${g},${b}`,
    );
  assert.equal(lacksColour(await scaled(0, 1, 0), fov), true);
  const littleBlue = await scaled(1, 1, 0.1);
  assert.equal(lacksColour(littleBlue, fov), false);
});

test('16-bit and 8-bit copies of the same photograph agree', async () => {
  const deep = await decodeImage(await sharp(SAMPLE).toColourspace('rgb16').png().toBuffer(), '16-bit copy');
  assert.equal(deep.bitDepth, 16);
  assert.equal(lacksColour(deep, deriveFov(deep)), false);
});
