// Whole-factor shrinking of a frame (the optic-disc network works on the canonical frame at half size: the disc is
// tens of pixels across there, and the whole field fits one small pass).
import type { BinaryMap, RasterImage } from '../types.js';
import { planAxis, resample } from '../frame/resample.js';
import { mapPixels } from '../../../shared/pixels.js';

/** Box-averaged image, ceil(w/k) x ceil(h/k); edge blocks average the pixels they have. */
export function shrinkImage(img: RasterImage, k: number): RasterImage {
  if (k === 1) return img;
  const { width: w, height: h, channels: c } = img;
  const sw = Math.ceil(w / k);
  const sh = Math.ceil(h / k);
  const sum = new Float64Array(sw * sh * c);
  const count = new Uint32Array(sw * sh);
  for (let y = 0; y < h; y++) {
    const row = Math.floor(y / k) * sw;
    for (let x = 0; x < w; x++) {
      const o = row + Math.floor(x / k);
      count[o]++;
      for (let ch = 0; ch < c; ch++) sum[o * c + ch] += img.data[(y * w + x) * c + ch];
    }
  }
  const data = img.bitDepth === 16 ? new Uint16Array(sum.length) : new Uint8Array(sum.length);
  for (let i = 0; i < sum.length; i++) data[i] = Math.round(sum[i] / count[Math.floor(i / c)]);
  return { width: sw, height: sh, channels: c, bitDepth: img.bitDepth, data };
}

/** A 0/1 map shrunk by k: a block is set when at least half of its pixels are. */
export function shrinkMap(map: BinaryMap, k: number): BinaryMap {
  if (k === 1) return map;
  const grey: RasterImage = {
    width: map.width,
    height: map.height,
    channels: 1,
    bitDepth: 8,
    data: mapPixels(new Uint8Array(map.data.length), map.data, (v) => (v ? 255 : 0)),
  };
  const s = shrinkImage(grey, k);
  return {
    width: s.width,
    height: s.height,
    data: mapPixels(new Uint8Array(s.data.length), s.data, (v) => (v >= 128 ? 1 : 0)),
  };
}

/** A map of the shrunk frame (sw x sh) enlarged back to w x h by linear interpolation (k = 1: as is). */
export function enlargeMap(
  map: Float32Array,
  sw: number,
  sh: number,
  w: number,
  h: number,
  k: number,
): Float32Array {
  if (k === 1) return map;
  return resample(map, sw, sh, 1, planAxis(sw, w, 0, 1 / k), planAxis(sh, h, 0, 1 / k));
}
