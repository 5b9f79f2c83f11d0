// A DRIVE test photograph's reference anatomy for measurement tests: the vessels RITE labels artery or vein (its
// crossings and uncertain pixels left out, so every vessel pixel has a class, as the store requires) and the optic
// disc of DRIVE-OD's centroid table.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readImage } from '../../main/ml/io/image-io.js';
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
