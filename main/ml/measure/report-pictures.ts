// The report's pictures: the photograph downscaled to a JPEG data URL, and the measured vessel map coloured by
// artery/vein class at the same size (transparent elsewhere) as a PNG data URL. Shared by the workstation's report
// and `retina measure --report`, so both draw the same overlay.
import sharp from 'sharp';
import { toRgb8 } from '../io/image-io.js';
import type { RasterImage } from '../types.js';

/** The photograph's longest side in the report: sharp enough to read the overlays on A4, small enough to open. */
export const REPORT_PHOTO_SIDE = 1200;

/** A vessel without a class green, artery red, vein blue (AV_CLASS order), opaque. */
const CLASS_RGBA: readonly (readonly [number, number, number, number])[] = [
  [40, 200, 80, 255],
  [230, 30, 30, 255],
  [40, 80, 240, 255],
];

export const dataUrl = (mime: string, bytes: Uint8Array): string =>
  `data:${mime};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;

export async function photoDataUrl(
  raster: RasterImage,
  maxSide = REPORT_PHOTO_SIDE,
): Promise<{ url: string; width: number; height: number }> {
  const rgb = toRgb8(raster);
  const data = rgb.data as Uint8Array;
  const { data: jpeg, info } = await sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
    raw: { width: rgb.width, height: rgb.height, channels: rgb.channels as 1 | 3 | 4 },
  })
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#000000' })
    .jpeg({ quality: 85 })
    .toBuffer({ resolveWithObject: true });
  return { url: dataUrl('image/jpeg', jpeg), width: info.width, height: info.height };
}

/** `mask` (non-zero: vessel) coloured by `av` (AV_CLASS per pixel), resized to outWidth x outHeight. */
export async function vesselOverlayDataUrl(
  mask: Uint8Array,
  av: Uint8Array | null,
  size: { width: number; height: number },
  out: { width: number; height: number },
): Promise<string> {
  const rgba = Buffer.alloc(mask.length * 4);
  for (let i = 0; i < mask.length; i++) {
    if (mask[i]) rgba.set(CLASS_RGBA[av?.[i] ?? 0] ?? CLASS_RGBA[0], 4 * i);
  }
  const png = await sharp(rgba, { raw: { width: size.width, height: size.height, channels: 4 } })
    .resize({ width: out.width, height: out.height, fit: 'fill' })
    .png()
    .toBuffer();
  return dataUrl('image/png', png);
}
