// An approved correction as the anatomy trainers read a dataset image: the photograph and its field of view copied
// out of the store, the approved artery/vein labels as the RGB reference RITE draws (red artery, blue vein), or the
// approved disc circle as a disc mask. The task's own preparation (train-artery-vein.ts, train-optic-disc.ts) then
// places it in the vessel model's frame exactly as it does a dataset image.
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import type { AnatomyRef } from '../ml/anatomy/anatomy-datasets.js';
import type { AnatomyTask } from '../ml/anatomy/anatomy-manifest.js';
import { AV_CLASS } from '../../shared/vessel-segments.js';
import { encodePng } from '../ml/io/image-io.js';
import { encodeMaskPng, getImage, getMaskVersion, loadAvLabels, type Store } from '../store/index.js';
import { RetrainError } from './errors.js';
import type { SnapshotMask } from './snapshot.js';
import { storeImageName, type TempNames } from './temp-names.js';
import { storeStem, writeStoreImage } from './training-set.js';

/** Labels 0/1/2 as an RGB reference image: background black, artery red, vein blue. */
export function avReferenceImage(labels: Uint8Array, width: number, height: number): Promise<Buffer> {
  const data = new Uint8Array(labels.length * 3);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === AV_CLASS.artery) data[i * 3] = 255;
    else if (labels[i] === AV_CLASS.vein) data[i * 3 + 2] = 255;
  }
  return encodePng({ width, height, channels: 3, bitDepth: 8, data });
}

/** The filled circle of a disc (centre and diameter in pixels) as a 0/1 map. */
export function discCircle(
  disc: { x: number; y: number; diameter: number },
  width: number,
  height: number,
): Uint8Array {
  const out = new Uint8Array(width * height);
  const r = disc.diameter / 2;
  const y0 = Math.max(0, Math.floor(disc.y - r));
  const y1 = Math.min(height - 1, Math.ceil(disc.y + r));
  for (let y = y0; y <= y1; y++) {
    for (let x = Math.max(0, Math.floor(disc.x - r)); x <= Math.min(width - 1, Math.ceil(disc.x + r)); x++) {
      // Pixel centres inside the circle.
      if ((x + 0.5 - disc.x) ** 2 + (y + 0.5 - disc.y) ** 2 <= r * r) out[y * width + x] = 1;
    }
  }
  return out;
}

/** Writes one approved correction into `dir` and returns it as a reference of the task. */
export async function writeCorrection(
  store: Store,
  task: AnatomyTask,
  entry: SnapshotMask,
  dir: string,
  names?: TempNames,
): Promise<AnatomyRef> {
  const image = getImage(store, entry.imageId);
  const version = getMaskVersion(store, entry.maskVersionId);
  if (version.imageId !== image.id || version.kind !== 'approved') {
    throw new RetrainError(`mask version ${version.id} is not an approved mask of image ${image.id}`);
  }
  const stem = storeStem(image.id);
  const files = await writeStoreImage(store, image, join(dir, stem), join(dir, `${stem}_fov.png`), names);
  const ref: AnatomyRef = { id: `store/${image.id}`, ...files };
  const { width, height } = version;
  if (task === 'artery-vein') {
    const labels = await loadAvLabels(store, version);
    if (!labels) throw new RetrainError(`mask version ${version.id} has no artery/vein labels`);
    ref.avPath = join(dir, `${stem}_av.png`);
    names?.add(ref.avPath, `the approved artery/vein labels of ${storeImageName(image)}`);
    await writeFile(ref.avPath, await avReferenceImage(labels, width, height));
  } else {
    if (!version.anatomy) throw new RetrainError(`mask version ${version.id} has no optic disc record`);
    // A disc removed by hand is a photograph that shows none: an empty disc mask, "not disc" everywhere.
    const disc = version.anatomy.disc;
    const data = disc ? discCircle(disc, width, height) : new Uint8Array(width * height);
    ref.discPath = join(dir, `${stem}_disc.png`);
    names?.add(ref.discPath, `the approved optic disc of ${storeImageName(image)}`);
    await writeFile(ref.discPath, encodeMaskPng({ width, height, data }));
  }
  return ref;
}
