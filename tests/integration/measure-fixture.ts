// A DRIVE test photograph's reference anatomy for measurement tests: the vessels RITE labels artery or vein (its
// crossings and uncertain pixels left out, so every vessel pixel has a class, as the store requires) and the optic
// disc of DRIVE-OD's centroid table; and two visits of it for the report and comparison tests.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RequestChannel, RequestOf, ResponseOf } from '../../shared/contract.js';
import { readImage, writePng } from '../../main/ml/io/image-io.js';
import { AV_LABEL, decodeAvLabels } from '../../main/ml/anatomy/av-labels.js';
import { datasetsRoot } from '../../main/node/package-root.js';

export interface ReferenceAnatomy {
  width: number;
  height: number;
  /** 0/1 vessel mask. */
  mask: Uint8Array;
  /** 0 background, 1 artery, 2 vein, non-zero exactly on `mask`. */
  av: Uint8Array;
  disc: { x: number; y: number; diameter: number };
}

export function driveTestImagePath(id: string): string {
  return path.join(datasetsRoot(), 'DRIVE', 'test', 'images', `${id}_test.tif`);
}

/** `id` as DRIVE names its test images: '01'..'20'. */
export async function referenceAnatomy(id: string): Promise<ReferenceAnatomy> {
  const root = datasetsRoot();
  const img = await readImage(path.join(root, 'RITE', 'av', 'test', `${id}_test.png`));
  const labels = decodeAvLabels(img);
  const av = Uint8Array.from(labels, (v) => (v === AV_LABEL.artery ? 1 : v === AV_LABEL.vein ? 2 : 0));
  const mask = Uint8Array.from(av, (v) => (v ? 1 : 0));
  const table = await readFile(path.join(root, 'DRIVE-OD', 'od_centroids_DERIVED.csv'), 'utf8');
  const row = table
    .split('\n')
    .map((l) => l.split(','))
    .find((cells) => cells[0] === `${id}_test`);
  if (!row) throw new Error(`DRIVE-OD has no disc for ${id}_test`);
  const disc = { x: Number(row[1]), y: Number(row[2]), diameter: Number(row[4]) };
  return { width: img.width, height: img.height, mask, av, disc };
}

/**
 * The vessel pixels of a wedge around the disc centre: the angles within `halfAngle` of the point (x, y), at
 * distances from `inner` to `outer` pixels. Erasing them cuts every vessel that runs through that point's sector.
 */
export function wedge(
  ref: { width: number; height: number; disc: { x: number; y: number } },
  at: { x: number; y: number },
  halfAngle: number,
  inner: number,
  outer: number,
): (i: number) => boolean {
  const { width, disc } = ref;
  const angle = Math.atan2(at.y - disc.y, at.x - disc.x);
  return (i) => {
    const dx = (i % width) - disc.x;
    const dy = Math.floor(i / width) - disc.y;
    const r = Math.hypot(dx, dy);
    let d = Math.atan2(dy, dx) - angle;
    d = Math.atan2(Math.sin(d), Math.cos(d));
    return r >= inner && r <= outer && Math.abs(d) <= halfAngle;
  };
}

/**
 * The DRIVE test photograph as another visit's picture: a PNG copy in `dir` with one pixel changed (so the store
 * takes it as a new image, not a duplicate), and the reference mask and labels with the pixels `erase` names
 * removed (e.g. a venule gone at the later visit).
 */
export async function laterVisitCopy(
  id: string,
  dir: string,
  ref: ReferenceAnatomy,
  erase: (i: number) => boolean,
): Promise<{ imagePath: string; mask: Uint8Array; av: Uint8Array }> {
  const img = await readImage(driveTestImagePath(id));
  const data = Uint8Array.from(img.data as Uint8Array);
  data[0] = data[0] === 255 ? 254 : data[0] + 1;
  const imagePath = path.join(dir, `${id}_test_later.png`);
  await writePng(imagePath, { ...img, data });
  const mask = Uint8Array.from(ref.mask, (v, i) => (v && !erase(i) ? 1 : 0));
  const av = Uint8Array.from(ref.av, (v, i) => (mask[i] ? v : 0));
  return { imagePath, mask, av };
}

type Invoke = <C extends RequestChannel>(channel: C, request: RequestOf<C>) => Promise<ResponseOf<C>>;

export interface TwoVisits {
  ref: ReferenceAnatomy;
  /** DRIVE 02 with its reference draft, at the first visit. */
  first: string;
  /** Its copy a year later, the first visit's widest venule (V1) erased across the zones in its draft. */
  later: string;
  erasedVein: string;
}

/**
 * Two visits of one eye for the report and comparison tests: DRIVE 02 with RITE's vessels and DRIVE-OD's disc saved
 * as a draft (visit 2025-03-01), and a copy of it (visit 2026-03-01) whose draft lacks the widest venule. `importFile`
 * imports one photograph and answers its image id; `info` is the clinical context both images share; the copy is
 * written into `dir` (the test's own temporary folder, removed with it).
 */
export async function twoVisits(
  invoke: Invoke,
  importFile: (path: string) => Promise<string>,
  info: { patientId: string; patientName?: string; eye: 'OD' | 'OS'; camera: string },
  dir: string,
): Promise<TwoVisits> {
  const ref = await referenceAnatomy('02');
  const anatomy = { disc: ref.disc, fovea: null, laterality: null };
  const save = (imageId: string, mask: Uint8Array, av: Uint8Array) =>
    invoke('saveDraft', {
      imageId,
      width: ref.width,
      height: ref.height,
      mask,
      av,
      parentVersionId: null,
      anatomy,
    });
  const first = await importFile(driveTestImagePath('02'));
  await save(first, ref.mask, ref.av);
  const v1 = (await invoke('getMeasurements', { imageId: first }))!.measures.zoneVessels.B.veins[0];
  const d = ref.disc.diameter;
  const copy = await laterVisitCopy('02', dir, ref, wedge(ref, v1, 0.12, 0.8 * d, 2.7 * d));
  const later = await importFile(copy.imagePath);
  await save(later, copy.mask, copy.av);
  await invoke('setClinicalInfo', { imageIds: [first], info: { ...info, visitDate: '2025-03-01' } });
  await invoke('setClinicalInfo', { imageIds: [later], info: { ...info, visitDate: '2026-03-01' } });
  return { ref, first, later, erasedVein: v1.name };
}
