// A retrain's recorded decision as the contract's verdict, for vessel and anatomy runs alike.
import type { PromotionVerdict } from '../../shared/contract.js';

/**
 * A stored decision as the contract's verdict. Runs since the promotion gate store the whole verdict; runs
 * recorded before it kept only better, reason and promoted (judged on every held-out image, by pooled F1).
 */
export function verdictOf(
  decision: Pick<PromotionVerdict, 'better' | 'reason' | 'promoted'> & Partial<PromotionVerdict>,
  heldOutImages: number,
): PromotionVerdict {
  return {
    judged: true,
    advice: null,
    usableImages: heldOutImages,
    delta: null,
    benchmarkDelta: null,
    ...decision,
  };
}
