// A prediction's quality estimate in the words and digits the worklist columns and the viewer show. Pure.
import type { ImageQuality, ImageSummary } from '../../../shared/contract.js';

const NONE = '-';

/** Expected F1 with 3 decimals ("-" without an estimate). */
export function formatExpectedF1(q: ImageQuality | null | undefined): string {
  return q ? q.expectedF1.toFixed(3) : NONE;
}

/** Mean uncertainty inside the field of view as a percentage with one decimal. */
export function formatMeanUncertainty(q: ImageQuality | null | undefined): string {
  return q ? `${(q.meanUncertainty * 100).toFixed(1)}%` : NONE;
}

/** The number of likely gaps. */
export function formatGaps(q: ImageQuality | null | undefined): string {
  return q ? String(q.gaps) : NONE;
}

/**
 * Why a row shows no estimate, for its "-" cells: "Review next" lists such images after every scored one, which
 * looks like a mistake unless the row says why. Null when it has an estimate.
 */
export function noEstimateReason(im: Pick<ImageSummary, 'status' | 'quality'>): string | null {
  if (im.quality) return null;
  const why =
    im.status === 'new'
      ? 'Not predicted yet'
      : 'No quality estimate: not predicted, or predicted by a model that estimates none';
  return `${why}. "Review next" lists it after the images with an expected F1.`;
}
