// Whose work an approved mask is: a dataset's label, a person's (drawn, imported or a corrected prediction), or
// a model's own prediction approved unchanged. Only the first two can show whether a new model is better, so
// only they count as held-out references for the promotion gate.
import { getImage, loadMask, sourcePrediction, type MaskVersion, type Store } from '../store/index.js';

/** An approval differing from its prediction by at most this many pixels is the prediction approved as it was. */
export const MIN_CORRECTED_PIXELS = 25;

export type ReferenceKind = 'dataset' | 'person' | 'model';

/** Pixels where two same-sized masks disagree, stopping once past `limit`. */
function differingPixels(a: Uint8Array, b: Uint8Array, limit: number): number {
  let n = 0;
  for (let i = 0; i < a.length && n <= limit; i++) if ((a[i] !== 0) !== (b[i] !== 0)) n++;
  return n;
}

/**
 * What an approved version's pixels are: 'dataset' for an image imported from a dataset, 'model' when they
 * differ from the prediction it descends from (at that prediction's threshold) in at most MIN_CORRECTED_PIXELS
 * pixels, otherwise 'person' (corrected, drawn or imported without any prediction behind it).
 */
export async function referenceKind(store: Store, version: MaskVersion): Promise<ReferenceKind> {
  if (getImage(store, version.imageId).dataset !== null) return 'dataset';
  const prediction = sourcePrediction(store, version);
  if (!prediction) return 'person';
  if (prediction.pngHash === version.pngHash) return 'model';
  if (prediction.width !== version.width || prediction.height !== version.height) return 'person';
  const [a, b] = await Promise.all([loadMask(store, version), loadMask(store, prediction)]);
  return differingPixels(a.data, b.data, MIN_CORRECTED_PIXELS) > MIN_CORRECTED_PIXELS ? 'person' : 'model';
}
