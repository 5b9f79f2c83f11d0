// The held-out line by groups, shared by the vessel and the anatomy retrains: images that must fall on one side of
// it (one patient's eye, copies of one photograph; image-groups.ts) are held out whole, picked whole to reach the
// gate's minimum, and recorded with the run so the gate judges each group as one sample.
import { getImage, type Store } from '../store/index.js';
import { imageGroups } from './image-groups.js';

/** Each image's group (the smallest image id of it) among `imageIds`; an image not among them is its own. */
export async function storeGroupOf(
  store: Store,
  imageIds: Iterable<number>,
): Promise<(imageId: number) => number> {
  const groups = await imageGroups(store, [...imageIds], (id) => getImage(store, id).fileHash);
  return (imageId) => groups.get(imageId) ?? imageId;
}

/** The groups of two or more among the held-out images, as a snapshot records them (ids ascending). */
export function recordedGroups(heldOut: Iterable<number>, groupOf: (imageId: number) => number): number[][] {
  const byGroup = new Map<number, number[]>();
  for (const id of [...new Set(heldOut)].sort((a, b) => a - b)) {
    byGroup.set(groupOf(id), [...(byGroup.get(groupOf(id)) ?? []), id]);
  }
  return [...byGroup.values()].filter((g) => g.length > 1);
}

/**
 * Whether the gate judges a held-out image: one of the snapshot's usable ones (all when it records none). The
 * scores stored and shown beside the decision are over these images too, so they are the numbers that decided.
 */
export function judgedBy(snapshot: { usableHeldOut?: readonly number[] }): (imageId: number) => boolean {
  const usable = snapshot.usableHeldOut ? new Set(snapshot.usableHeldOut) : null;
  return (imageId) => usable?.has(imageId) ?? true;
}

/** Each held-out image's group by a snapshot's record (the smallest image id of the group); others are their own. */
export function snapshotGroupOf(snapshot: {
  heldOutGroups?: readonly (readonly number[])[];
}): (imageId: number) => number {
  const groupOf = new Map<number, number>();
  for (const g of snapshot.heldOutGroups ?? []) for (const id of g) groupOf.set(id, Math.min(...g));
  return (imageId) => groupOf.get(imageId) ?? imageId;
}
