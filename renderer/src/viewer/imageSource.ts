// Decodes the encoded photograph once (createImageBitmap decodes off the main thread) and shows the bitmap as is.
// Only when a display filter is on are its pixels read back (once) and a filtered copy rendered into a canvas,
// so opening a large image never pays for a full getImageData.
import type { EncodedImage } from '../../../shared/contract.js';
import { applyDisplayFilter, isIdentity, type DisplayFilter } from '../editing/displayFilter.js';

export interface DecodedImage {
  width: number;
  height: number;
  bitmap: ImageBitmap;
  /** Filled on first use by a display filter. */
  original: ImageData | null;
  canvas: HTMLCanvasElement | null;
  /** A downscaled copy standing in (at the image's size) until the image itself has decoded: drawn unfiltered. */
  preview?: boolean;
}

/** `copy` (a decoded preview) standing in for a `width` x `height` image. */
export function standIn(copy: DecodedImage, width: number, height: number): DecodedImage {
  return { width, height, bitmap: copy.bitmap, original: null, canvas: null, preview: true };
}

export async function decodeImage(img: EncodedImage): Promise<DecodedImage> {
  let bitmap: ImageBitmap;
  try {
    // EXIF orientation applied, as main reads the photograph (a JPEG original is sent as it is).
    bitmap = await createImageBitmap(new Blob([img.bytes as BlobPart], { type: img.mime }), {
      imageOrientation: 'from-image',
    });
  } catch {
    throw new Error(`the image (${img.mime}, ${img.bytes.length} bytes) cannot be decoded`);
  }
  if (bitmap.width !== img.width || bitmap.height !== img.height) {
    // The size is read before close(): a closed bitmap reports 0x0.
    const decoded = `${bitmap.width}x${bitmap.height}`;
    bitmap.close();
    throw new Error(`the image decodes as ${decoded}, expected ${img.width}x${img.height}`);
  }
  return { width: bitmap.width, height: bitmap.height, bitmap, original: null, canvas: null };
}

function canvasOf(src: DecodedImage): { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D } {
  if (!src.canvas) {
    src.canvas = document.createElement('canvas');
    src.canvas.width = src.width;
    src.canvas.height = src.height;
  }
  const ctx = src.canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('cannot create a 2D canvas');
  return { canvas: src.canvas, ctx };
}

/** What to draw for `filter`: the decoded bitmap itself, or a canvas holding the filtered copy. */
export function renderFiltered(src: DecodedImage, filter: DisplayFilter): CanvasImageSource {
  // A preview stands in for a moment; the filter applies to the image that replaces it.
  if (isIdentity(filter) || src.preview) return src.bitmap;
  const { canvas, ctx } = canvasOf(src);
  if (!src.original) {
    ctx.drawImage(src.bitmap, 0, 0);
    src.original = ctx.getImageData(0, 0, src.width, src.height);
  }
  const out = new ImageData(src.width, src.height);
  applyDisplayFilter(src.original.data, out.data, filter, src.width, src.height);
  ctx.putImageData(out, 0, 0);
  return canvas;
}

/** Frees the decoded pixels (the bitmap can no longer be drawn afterwards). */
export function releaseImage(src: DecodedImage): void {
  src.bitmap.close();
  src.original = null;
  if (src.canvas) src.canvas.width = src.canvas.height = 0;
}
