// Approving a mask makes it ground truth: it feeds the retraining and the measures. A mask with (almost) no vessels
// left is nearly always an accident (a cleanup with a size typed wrong, an eraser swept across), so approving one is
// put to the user first. Vessels cover 5-20% of a fundus photograph.

/** Below this share of the image's pixels a mask counts as (nearly) empty. */
export const EMPTY_MASK_SHARE = 0.005;

export function nearlyEmpty(mask: Uint8Array): { vessel: number; share: number; ask: boolean } {
  let vessel = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) vessel++;
  const share = mask.length > 0 ? vessel / mask.length : 0;
  return { vessel, share, ask: share < EMPTY_MASK_SHARE };
}

export function emptyApproveQuestion(vessel: number, share: number): string {
  const what =
    vessel === 0
      ? 'This mask has no vessel pixels'
      : `This mask has only ${vessel.toLocaleString('en-US')} vessel pixels (${(share * 100).toFixed(2)}% of the image)`;
  return `${what}. Approved, it becomes ground truth for retraining and measures. Approve it anyway?`;
}
