// Decodes the encoded photograph once and renders display-filtered copies of it into a canvas.
import type { EncodedImage } from '../../../shared/contract.js';
import { applyDisplayFilter, isIdentity, type DisplayFilter } from '../editing/displayFilter.js';

export interface DecodedImage {
  width: number;
  height: number;
  original: ImageData;
  canvas: HTMLCanvasElement;
}

export async function decodeImage(img: EncodedImage): Promise<DecodedImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([img.bytes as BlobPart], { type: img.mime }));
  } catch {
    throw new Error(`the image (${img.mime}, ${img.bytes.length} bytes) cannot be decoded`);
  }
  if (bitmap.width !== img.width || bitmap.height !== img.height) {
    throw new Error(
      `the image decodes as ${bitmap.width}x${bitmap.height}, expected ${img.width}x${img.height}`,
    );
  }
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('cannot create a 2D canvas');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const original = ctx.getImageData(0, 0, canvas.width, canvas.height);
  return { width: canvas.width, height: canvas.height, original, canvas };
}

export function renderFiltered(src: DecodedImage, filter: DisplayFilter): void {
  const ctx = src.canvas.getContext('2d');
  if (!ctx) return;
  if (isIdentity(filter)) {
    ctx.putImageData(src.original, 0, 0);
    return;
  }
  const out = new ImageData(src.width, src.height);
  applyDisplayFilter(src.original.data, out.data, filter);
  ctx.putImageData(out, 0, 0);
}
