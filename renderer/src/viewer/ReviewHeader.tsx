// The line above the canvas: which image, where its review stands ("Approved by ann, 2026-12-02 11:58, version 3",
// "Approved, then edited: draft until re-approved", ...) and, on an approved image, the explicit way to edit it.
import type { ReviewState } from '../../../shared/contract.js';
import { reviewHeadline } from '../review/reviewLabel.js';
import { ANNOTATOR_HINT } from '../team/handoffWords.js';

export interface ReviewHeaderProps {
  name: string;
  /** Null until the masks arrived. */
  review: ReviewState | null;
  busy: boolean;
  onReopen: () => void;
  /** Team-mode annotators hand drafts over instead of approving: the hint says so. */
  submitsForReview?: boolean;
}

export function ReviewHeader({ name, review, busy, onReopen, submitsForReview }: ReviewHeaderProps) {
  const headline = review ? reviewHeadline(review) : null;
  const h =
    headline && submitsForReview && review?.status !== 'approved'
      ? { ...headline, hint: ANNOTATOR_HINT }
      : headline;
  return (
    <div className="review-header" data-testid="review-header">
      <span className="review-name">{name}</span>
      {review && h && (
        <>
          <span
            className={`review-state ${h.tone}`}
            data-testid="review-state"
            data-status={review.status}
            data-reopened={String(review.reopened)}
            title={h.hint}
          >
            {h.text}
          </span>
          <span className="review-hint">{h.hint}</span>
        </>
      )}
      {review?.status === 'approved' && !submitsForReview && (
        <button
          className="review-reopen"
          data-testid="reopen"
          onClick={onReopen}
          disabled={busy}
          title="Make a draft copy of the approved mask to edit; the image counts as a draft until approved again"
        >
          Reopen for editing
        </button>
      )}
    </div>
  );
}
