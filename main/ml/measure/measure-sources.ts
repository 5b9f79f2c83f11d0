// The files an image's measures are read from (the store's PNG blobs, named by path) and the engine's input made
// from them. Reading and decoding happen where the measuring does, so the workstation's worker thread does both and
// main only looks up rows: a large photograph's half-dozen 8-megapixel PNGs are never decoded on main's thread.
import { readFile } from 'node:fs/promises';
import type { MeasureInput } from '../../../shared/measure/measures.js';
import type { Disc } from '../../../shared/measure/zones.js';
import { fitFovCircle } from '../frame/fov-circle.js';
import { decodePng } from '../io/png-codec.js';
import { imageScale } from './photograph-measures.js';

export interface MeasureSources {
  width: number;
  height: number;
  /** 8-bit grey PNGs at width x height; `mask` and `fov` non-zero inside. */
  mask: string;
  /** Null: the whole frame is the field of view. */
  fov: string | null;
  /** round(255 p) of the prediction's vessel probability, with its threshold. */
  probability: string | null;
  threshold: number | null;
  /** Artery/vein labels (0, 1 artery, 2 vein); `labelsOnMask`: another version's, kept only on the mask's pixels. */
  av: string | null;
  labelsOnMask: boolean;
  /** round(255 p) of the classifier's artery probability. */
  arteryProbability: string | null;
  disc: Disc | null;
  /** Why there is no disc, when it is not that none was found. */
  noDiscReason?: string | null;
  /** Micrometres per pixel from DICOM spacing; else the field angle over the fitted aperture gives them. */
  dicomPixelUm: number | null;
  /** How far to trust the DICOM pixel size (pixels that are not square), for the measures' notes. */
  dicomPixelNote?: string | null;
  fieldAngleDeg: number | null;
}

async function grey(path: string, what: string, s: MeasureSources): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new Error(
      `${what} ${path} is missing or unreadable (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  const img = decodePng(bytes);
  if (img.channels !== 1 || img.bitDepth !== 8 || img.width !== s.width || img.height !== s.height) {
    throw new Error(
      `${what} ${path} is not an 8-bit grey ${s.width}x${s.height} map (${img.width}x${img.height}, ${img.channels} channels, ${img.bitDepth} bits)`,
    );
  }
  return img.data as Uint8Array;
}

/** v / 255 for each byte value: a table lookup per pixel costs less than a division. */
const UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

const unit = (bytes: Uint8Array): Float32Array => {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = UNIT[bytes[i]];
  return out;
};

export async function readMeasureInput(s: MeasureSources): Promise<MeasureInput> {
  const [mask, fovBytes, prob, labels, artery] = await Promise.all([
    grey(s.mask, 'the mask', s),
    s.fov ? grey(s.fov, 'the field of view', s) : null,
    s.probability ? grey(s.probability, 'the probability map', s) : null,
    s.av ? grey(s.av, 'the artery/vein map', s) : null,
    s.arteryProbability ? grey(s.arteryProbability, 'the artery probability', s) : null,
  ]);
  const fov = fovBytes ?? new Uint8Array(s.width * s.height).fill(1);
  const av = labels && s.labelsOnMask ? labels.map((v, i) => (mask[i] ? v : 0)) : labels;
  let pixelSize = s.dicomPixelUm;
  let scaleNote: string | null = pixelSize === null ? null : (s.dicomPixelNote ?? null);
  if (pixelSize === null && s.fieldAngleDeg) {
    const circle = fitFovCircle({ width: s.width, height: s.height, data: fov });
    const scale = imageScale(
      { fieldAngleDeg: s.fieldAngleDeg },
      { apertureDiameterPx: circle ? 2 * circle.r : null, width: s.width, height: s.height },
    );
    pixelSize = scale.pixelSizeUm;
    scaleNote = scale.note;
  }
  return {
    width: s.width,
    height: s.height,
    mask,
    fov,
    ...(prob && s.threshold !== null ? { probability: unit(prob), threshold: s.threshold } : {}),
    ...(av ? { av } : {}),
    ...(av && artery ? { arteryProbability: unit(artery) } : {}),
    disc: s.disc,
    ...(s.noDiscReason ? { noDiscReason: s.noDiscReason } : {}),
    pixelSizeUm: pixelSize,
    ...(scaleNote ? { scaleNote } : {}),
  };
}
