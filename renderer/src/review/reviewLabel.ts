// Where an image's review stands, in the words the viewer header and the worklist show. Pure, so the wording of
// every state is tested without a browser.
import type { ReviewState } from '../../../shared/contract.js';
import { localDateTime } from '../../../shared/local-time.js';

export type ReviewTone = 'new' | 'predicted' | 'draft' | 'reopened' | 'approved';

export interface ReviewHeadline {
  tone: ReviewTone;
  /** One line: "Approved by ann, 2026-12-02 11:58, version 3". */
  text: string;
  /** What the user can do next, for a tooltip or a second line. */
  hint: string;
}

/** An ISO time as the user's local "YYYY-MM-DD HH:MM" (the input as given when it is not a time). */
export function formatWhen(iso: string): string {
  return localDateTime(iso);
}

/** "by ann, 2026-12-02 11:58, version 3" for an approval. */
export function approvalWords(a: NonNullable<ReviewState['approval']>): string {
  return `by ${a.by}, ${formatWhen(a.at)}, version ${a.version}`;
}

export function reviewHeadline(r: ReviewState): ReviewHeadline {
  switch (r.status) {
    case 'new':
      return { tone: 'new', text: 'New', hint: 'No mask yet: predict (P) or draw one.' };
    case 'predicted':
      return {
        tone: 'predicted',
        text: 'Predicted',
        hint: 'Not reviewed yet: correct the prediction, then approve (A).',
      };
    case 'draft':
      if (r.reopened) {
        return {
          tone: 'reopened',
          text: 'Approved, then edited: draft until re-approved',
          hint: r.approval
            ? `Last approved ${approvalWords(r.approval)}. Approve (A) again when it is right.`
            : 'Approve (A) again when it is right.',
        };
      }
      return { tone: 'draft', text: 'Draft', hint: 'Saved as you edit; approve (A) when it is right.' };
    case 'approved':
      return {
        tone: 'approved',
        text: r.approval ? `Approved ${approvalWords(r.approval)}` : 'Approved',
        hint: 'Read-only: reopen it for editing to change the mask.',
      };
  }
}
