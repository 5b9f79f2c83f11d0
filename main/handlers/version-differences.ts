// Besides its vessels, what an earlier version of a mask (or a kept draft) differs in from the image's current one
// (the newest person-made version, else the prediction): its artery/vein labels and its optic disc. A restore (an
// adoption) brings these back too, so the preview says so.
import type { VersionAlsoDiffers } from '../../shared/contract.js';
import {
  latestMaskVersion,
  latestPersonVersion,
  sameDisc,
  type KeptDraft,
  type MaskVersion,
  type Store,
} from '../store/index.js';
import type { MaskPixels } from './maskPixels.js';

/** What is compared with the current mask: its labels (by hash, and read when they differ) and its disc. */
interface Compared {
  imageId: number;
  avHash: string | null;
  anatomy: MaskVersion['anatomy'];
  av: () => Promise<Uint8Array | null>;
}

async function avDiffers(
  pixels: MaskPixels,
  v: Compared,
  current: MaskVersion,
): Promise<VersionAlsoDiffers['av']> {
  if (v.avHash === current.avHash) return 0;
  if (!v.avHash) return 'none';
  if (!current.avHash) return 'only';
  const [a, b] = await Promise.all([v.av(), pixels.av(current)]);
  if (!a || !b) return 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/** `versionId`: the version compared, which is not compared with itself (null: a kept draft). */
async function differences(
  store: Store,
  pixels: MaskPixels,
  v: Compared,
  versionId: number | null,
): Promise<VersionAlsoDiffers> {
  const current = latestPersonVersion(store, v.imageId) ?? latestMaskVersion(store, v.imageId, 'prediction');
  if (!current || current.id === versionId) return { av: 0, disc: null };
  // A version without a disc record keeps none of its own: a restore leaves no disc to compare.
  const here = v.anatomy?.disc ?? null;
  const there = current.anatomy?.disc ?? null;
  const disc = v.anatomy && !sameDisc(here, there) ? { version: here, current: there } : null;
  return { av: await avDiffers(pixels, v, current), disc };
}

export function alsoDiffers(store: Store, pixels: MaskPixels, v: MaskVersion): Promise<VersionAlsoDiffers> {
  return differences(store, pixels, { ...v, av: () => pixels.av(v) }, v.id);
}

/** A kept draft's, its labels `av` already read. */
export function keptAlsoDiffers(
  store: Store,
  pixels: MaskPixels,
  kept: KeptDraft,
  av: Uint8Array | null,
): Promise<VersionAlsoDiffers> {
  return differences(store, pixels, { ...kept, av: () => Promise.resolve(av) }, null);
}
