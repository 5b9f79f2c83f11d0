// Agreement between readers of the same image (two-reader mode): the Dice coefficient of their vessel masks, per
// image (the mean over pairs when more than two read it) and per annotator (the mean over the images they read).
// Pure, shared by main (which computes it) and any test.

/** 2|A∩B| / (|A|+|B|) over 0/1 masks of equal length; 1 when both are empty (they agree there is nothing). */
export function dice(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new RangeError(`masks of ${a.length} and ${b.length} pixels`);
  let both = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] !== 0 ? 1 : 0;
    const y = b[i] !== 0 ? 1 : 0;
    both += x & y;
    sum += x + y;
  }
  return sum === 0 ? 1 : (2 * both) / sum;
}

/** The mean Dice over every pair of readers' masks; null with fewer than two masks. */
export function meanPairwiseDice(masks: Uint8Array[]): number | null {
  if (masks.length < 2) return null;
  let total = 0;
  let pairs = 0;
  for (let i = 0; i < masks.length; i++) {
    for (let j = i + 1; j < masks.length; j++) {
      total += dice(masks[i], masks[j]);
      pairs++;
    }
  }
  return total / pairs;
}

export interface ImageAgreement {
  imageId: string;
  /** The readers whose drafts were compared. */
  readers: string[];
  dice: number | null;
}

export interface AnnotatorAgreement {
  name: string;
  /** Images of theirs with a Dice (both readers saved a draft). */
  images: number;
  meanDice: number | null;
}

/** Per annotator: the mean of the image Dice values over the images they read (scored images only). */
export function agreementByAnnotator(images: ImageAgreement[]): AnnotatorAgreement[] {
  const acc = new Map<string, { sum: number; n: number }>();
  for (const im of images) {
    for (const r of im.readers) {
      const a = acc.get(r) ?? { sum: 0, n: 0 };
      if (im.dice !== null) {
        a.sum += im.dice;
        a.n++;
      }
      acc.set(r, a);
    }
  }
  return [...acc.entries()]
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([name, a]) => ({ name, images: a.n, meanDice: a.n > 0 ? a.sum / a.n : null }));
}
