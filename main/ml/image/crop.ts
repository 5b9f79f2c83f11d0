// A rectangle of a photograph as a photograph of its own (the benchmark's photographs without a disc).
import type { RasterImage } from '../types.js';

/** Pixels [x0, x1) x [y0, y1) of `image`, every channel, at its bit depth. */
export function cropImage(image: RasterImage, x0: number, y0: number, x1: number, y1: number): RasterImage {
  if (x0 < 0 || y0 < 0 || x1 > image.width || y1 > image.height || x1 <= x0 || y1 <= y0)
    throw new Error(
      `crop [${x0}, ${x1}) x [${y0}, ${y1}) is not inside the ${image.width}x${image.height} image`,
    );
  const c = image.channels;
  const w = x1 - x0;
  const n = w * (y1 - y0) * c;
  const data = image.data instanceof Uint16Array ? new Uint16Array(n) : new Uint8Array(n);
  for (let y = y0; y < y1; y++)
    data.set(image.data.subarray((y * image.width + x0) * c, (y * image.width + x1) * c), (y - y0) * w * c);
  return { ...image, width: w, height: y1 - y0, data };
}
