// A prediction's quality estimate in the words and digits the worklist columns and the viewer show. Pure.
import type { ImageQuality } from '../../../shared/contract.js';

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
