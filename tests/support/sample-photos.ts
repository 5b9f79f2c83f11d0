// Distinct real photographs for tests that need several: the shipped CC0 fundus sample, resized to one size and
// tinted differently for each name (distinct bytes, so each imports as its own image), written as PNG.
import { join } from 'node:path';
import sharp from 'sharp';

export const SAMPLE_PHOTO = join(
  import.meta.dirname,
  '..',
  '..',
  'resources',
  'samples',
  'fundus-normal-left-eye-cc0.jpg',
);

/** Writes `<dir>/<name>.png` for each name (size x size), each tinted its own way; gives their paths in order. */
export async function tintedPhotos(dir: string, names: readonly string[], size: number): Promise<string[]> {
  const out: string[] = [];
  for (const [i, name] of names.entries()) {
    const file = join(dir, `${name}.png`);
    const shade = 255 - ((i * 37) % 120);
    await sharp(SAMPLE_PHOTO)
      .resize(size, size, { fit: 'fill' })
      .tint({ r: 255, g: shade, b: 255 - ((i * 53) % 100) })
      .png()
      .toFile(file);
    out.push(file);
  }
  return out;
}
