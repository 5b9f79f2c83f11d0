// Besides its vessels, what an earlier version of a mask differs in from the image's current one (the newest
// person-made version, else the prediction): its artery/vein labels and its optic disc. The viewer shows the
// version's vessels only, and a restore brings these back too, so the preview says so.
import type { VersionAlsoDiffers } from '../../shared/contract.js';
import {
  latestMaskVersion,
  latestPersonVersion,
  sameDisc,
  type MaskVersion,
  type Store,
} from '../store/index.js';
import type { MaskPixels } from './maskPixels.js';

async function avDiffers(
  pixels: MaskPixels,
  v: MaskVersion,
  current: MaskVersion,
): Promise<VersionAlsoDiffers['av']> {
  if (v.avHash === current.avHash) return 0;
  if (!v.avHash) return 'none';
  if (!current.avHash) return 'only';
  const [a, b] = await Promise.all([pixels.av(v), pixels.av(current)]);
  if (!a || !b) return 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

export async function alsoDiffers(
  store: Store,
  pixels: MaskPixels,
  v: MaskVersion,
): Promise<VersionAlsoDiffers> {
  const current = latestPersonVersion(store, v.imageId) ?? latestMaskVersion(store, v.imageId, 'prediction');
  if (!current || current.id === v.id) return { av: 0, disc: null };
  // A version without a disc record keeps none of its own: a restore leaves no disc to compare.
  const here = v.anatomy?.disc ?? null;
  const there = current.anatomy?.disc ?? null;
  const disc = v.anatomy && !sameDisc(here, there) ? { version: here, current: there } : null;
  return { av: await avDiffers(pixels, v, current), disc };
}
