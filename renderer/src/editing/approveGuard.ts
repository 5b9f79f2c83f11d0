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

/** A reader's latest draft as the question needs it (the contract's ReaderDraft, narrowed). */
export interface ReaderDraftRef {
  name: string;
  draft: { versionId: string; version: number } | null;
  /** No longer assigned to the image: their draft stays, and may be the one shown. */
  removed?: true;
}

/**
 * Two-reader mode: a plain Approve of a reader's draft as it stands picks that reader over the other, which only
 * the Readers panel made explicit; the viewer shows the newest draft, whoever saved it. Returns the question to
 * ask, or null when the mask being approved is not one reader's unedited draft (the reviewer's own merge).
 */
export function readerApproveQuestion(
  readers: readonly ReaderDraftRef[],
  dice: number | null,
  parentVersionId: string | null,
): { reader: string; question: string } | null {
  if (readers.length < 2 || parentVersionId === null) return null;
  const chosen = readers.find((r) => r.draft?.versionId === parentVersionId);
  if (!chosen?.draft) return null;
  const others = readers.filter((r) => r !== chosen);
  const drawn = others.filter((r) => r.draft).map((r) => r.name);
  const missing = others.filter((r) => !r.draft).map((r) => r.name);
  const agreement =
    drawn.length === 0
      ? ''
      : ` ${drawn.join(' and ')} drew it too${dice === null ? '' : ` (agreement, Dice ${dice.toFixed(3)})`}.`;
  const notYet =
    missing.length === 0
      ? ''
      : ` ${missing.join(' and ')} ${missing.length > 1 ? 'have' : 'has'} no draft yet.`;
  // Their reading may still be the right one, but nobody answers for it any more: said before the question.
  const offImage = chosen.removed ? ` ${chosen.name} is no longer assigned to this image.` : '';
  return {
    reader: chosen.name,
    question:
      `This image has ${readers.length} readers, and the mask shown is ${chosen.name}'s draft (version ` +
      `${chosen.draft.version}) as they left it.${offImage}${agreement}${notYet} Approve ${chosen.name}'s reading? ` +
      "The Readers panel approves any reader's draft; an edit first makes the approval your own merge.",
  };
}
