// The line above the canvas: which image, where its review stands ("Approved by ann, 2026-12-02 11:58, version 3",
// "Approved, then edited: draft until re-approved", ...) and, on an approved image, the explicit way to edit it.
// Reopening withdraws an approval, so it asks why first (optional; the reason goes into the History). The reason
// form takes the button's place: closing it must not leave focus on the page's body, where a screen reader loses
// its place.
import { useEffect, useRef, useState } from 'react';
import { REOPEN_REASON_MAX, type ReviewState } from '../../../shared/contract.js';
import { reviewHeadline } from '../review/reviewLabel.js';
import { ANNOTATOR_HINT } from '../team/handoffWords.js';

export interface ReviewHeaderProps {
  name: string;
  /** Null until the masks arrived. */
  review: ReviewState | null;
  busy: boolean;
  onReopen: (reason: string) => void;
  /** Takes focus once the reason is sent (the Reopen button is gone then). */
  focusViewer: () => void;
  /** Team-mode annotators hand drafts over instead of approving: the hint says so. */
  submitsForReview?: boolean;
}

export function ReviewHeader(props: ReviewHeaderProps) {
  const { name, review, busy, onReopen, focusViewer, submitsForReview } = props;
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  // Cancelled (Escape or Cancel): focus back on the Reopen button, which renders again in the form's place.
  const reopenButton = useRef<HTMLButtonElement>(null);
  const backToButton = useRef(false);
  useEffect(() => {
    if (asking || !backToButton.current) return;
    backToButton.current = false;
    reopenButton.current?.focus();
  }, [asking]);
  const cancel = () => {
    backToButton.current = true;
    setAsking(false);
  };
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
      {review?.status === 'approved' && !submitsForReview && !asking && (
        <button
          className="review-reopen"
          data-testid="reopen"
          ref={reopenButton}
          onClick={() => {
            setReason('');
            setAsking(true);
          }}
          disabled={busy}
          title="Make a draft copy of the approved mask to edit; the image counts as a draft until approved again"
        >
          Reopen for editing
        </button>
      )}
      {review?.status === 'approved' && !submitsForReview && asking && (
        <form
          className="review-reopen-form"
          data-testid="reopen-form"
          onSubmit={(e) => {
            e.preventDefault();
            focusViewer();
            setAsking(false);
            onReopen(reason.trim());
          }}
          onKeyDown={(e) => {
            // The viewer's keys (A approves, arrows move on) must not act while the reason is typed.
            e.stopPropagation();
            if (e.key === 'Escape') cancel();
          }}
        >
          <input
            aria-label="Why reopen? (optional, kept in the History)"
            placeholder="Why reopen? (optional)"
            data-testid="reopen-reason"
            maxLength={REOPEN_REASON_MAX}
            value={reason}
            autoFocus
            onChange={(e) => setReason(e.target.value)}
          />
          <button type="submit" className="review-reopen" data-testid="reopen-confirm" disabled={busy}>
            Reopen
          </button>
          <button type="button" data-testid="reopen-cancel" onClick={cancel}>
            Cancel
          </button>
        </form>
      )}
    </div>
  );
}
