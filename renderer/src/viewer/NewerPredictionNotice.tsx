// The line saying a newer prediction of the image was made elsewhere while edits are on screen: they stay as they
// are; the new prediction can be looked at over the current mask (as an earlier version is), or taken in as P does.
import type { NewerPrediction } from './useOutsidePrediction.js';

export interface NewerPredictionNoticeProps {
  newer: NewerPrediction;
  /** Absent where the role may not open versions (the History is reviewers'). */
  onView?: () => void;
  onTake: () => void;
  onDismiss: () => void;
  busy: boolean;
}

export function NewerPredictionNotice(p: NewerPredictionNoticeProps) {
  return (
    <div className="edit-notice" role="status" data-testid="newer-prediction" data-version={p.newer.version}>
      <span>
        A newer prediction (version {p.newer.version}) was made elsewhere at {p.newer.at}. Your edits are kept
        as they are.
      </span>
      {p.onView && (
        <button onClick={p.onView} disabled={p.busy} data-testid="view-newer-prediction">
          View it
        </button>
      )}
      <button
        onClick={p.onTake}
        disabled={p.busy}
        data-testid="take-newer-prediction"
        title="As P does: your corrections stay; one step to undo"
      >
        Use it under my edits
      </button>
      <button onClick={p.onDismiss} disabled={p.busy}>
        Dismiss
      </button>
    </div>
  );
}
