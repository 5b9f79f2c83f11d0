// Pixels of stored images and FOVs, read back from the blob store.
import { decodePhotograph } from '../ml/io/image-io.js';
import { PngFormatError, decodePng, type GreyImage } from '../ml/io/png-codec.js';
import type { BinaryMap, RasterImage } from '../ml/types.js';
import type { Store } from './database.js';
import { StoreError } from './errors.js';
import { blobPath, readBlob } from './file-store.js';
import { getImage, type ImageRecord } from './images.js';

function record(store: Store, image: ImageRecord | number): ImageRecord {
  return typeof image === 'number' ? getImage(store, image) : image;
}

/** Path of a file the engine can read for this image: the original, or its PNG rendition for DICOM. */
export function imageFilePath(store: Store, image: ImageRecord | number): string {
  const img = record(store, image);
  return blobPath(store, img.rasterHash ?? img.fileHash);
}

/** The original bytes as imported (for DICOM, the DICOM file). */
export async function readOriginalBytes(store: Store, image: ImageRecord | number): Promise<Buffer> {
  return readBlob(store, record(store, image).fileHash);
}

/** Decoded pixels of an image, exactly as imported. */
export async function loadImageRaster(store: Store, image: ImageRecord | number): Promise<RasterImage> {
  const img = record(store, image);
  const hash = img.rasterHash ?? img.fileHash;
  const name = `${img.fileName} (image ${img.id})`;
  const raster = await decodePhotograph(await readBlob(store, hash), name);
  // Every mask of the image is at the recorded size: a photograph that decodes otherwise cannot be shown or
  // predicted with them (one turned by its EXIF orientation, imported before the orientation was applied).
  if (raster.width !== img.width || raster.height !== img.height) {
    throw new Error(
      `${name} decodes as ${raster.width}x${raster.height} but is recorded as ${img.width}x${img.height}` +
        (raster.width === img.height && raster.height === img.width
          ? ': its EXIF orientation turns it, which RetinaStudio now applies; import the file again'
          : ''),
    );
  }
  return raster;
}

/** The image's field of view as 0/1 (from the dataset, or derived at import). */
export async function loadFov(store: Store, image: ImageRecord | number): Promise<BinaryMap> {
  const img = record(store, image);
  if (!img.fovHash) {
    const data = new Uint8Array(img.width * img.height).fill(1);
    return { width: img.width, height: img.height, data };
  }
  const grey = decodeGreyBlob(await readBlob(store, img.fovHash), `FOV of image ${img.id}`);
  for (let i = 0; i < grey.data.length; i++) grey.data[i] = grey.data[i] ? 1 : 0;
  return grey;
}

/**
 * Decodes one of the store's 8-bit grey PNG blobs (masks, FOVs, probability maps) with the engine's codec, which
 * checks every chunk's CRC; `name` says which blob in any error, e.g. "mask version 3: PNG corrupt (bad CRC in
 * IDAT chunk)".
 */
export function decodeGreyBlob(bytes: Uint8Array, name: string): GreyImage {
  let img: RasterImage;
  try {
    img = decodePng(bytes);
  } catch (err) {
    if (err instanceof PngFormatError) throw new StoreError(`${name}: PNG ${err.message}`);
    throw err;
  }
  if (img.channels !== 1 || img.bitDepth !== 8) {
    throw new StoreError(`${name}: not an 8-bit grey PNG (${img.channels} channels, ${img.bitDepth} bits)`);
  }
  return { width: img.width, height: img.height, data: img.data as Uint8Array };
}

/** A grey blob (a mask, an artery/vein map) checked to be the size its row says. */
export async function loadGreyBlob(
  store: Store,
  blob: { hash: string; width: number; height: number },
  name: string,
): Promise<GreyImage> {
  const grey = decodeGreyBlob(await readBlob(store, blob.hash), name);
  if (grey.width !== blob.width || grey.height !== blob.height)
    throw new StoreError(`${name}: blob ${blob.hash} does not match its row`);
  return grey;
}

/**
 * A 0/255 mask blob as a 0/1 map, checked to be the size its row says; `name` says which one in any error (a mask
 * version, a kept draft).
 */
export async function loadBinaryBlob(
  store: Store,
  blob: { hash: string; width: number; height: number },
  name: string,
): Promise<BinaryMap> {
  const grey = await loadGreyBlob(store, blob, name);
  const data = grey.data;
  for (let i = 0; i < data.length; i++) data[i] = data[i] ? 1 : 0;
  return { width: grey.width, height: grey.height, data };
}
