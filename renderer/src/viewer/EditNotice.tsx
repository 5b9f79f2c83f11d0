// The line under the review header that says why the viewer is not editing, with the way out: another window's
// lease (read-only; "Take over" once it expired), a refused save (its kept draft, or the latest mask), or a kept
// draft being looked at (adopt it, or go back to the current mask).
import type { KeptDraftSummary } from '../../../shared/contract.js';
import type { LeaseView } from './leaseStatus.js';
import type { SaveRefused } from './useAutosave.js';

export interface KeptPreview {
  kept: KeptDraftSummary;
  /** The current version it is compared with, and what adopting it builds on. */
  currentVersionId: string | null;
  differing: number;
}

export interface EditNoticeProps {
  lease: LeaseView;
  onTakeOver: () => void;
  refused: SaveRefused | null;
  onOpenKept: (keptDraftId: string) => void;
  onLoadLatest: () => void;
  preview: KeptPreview | null;
  onAdopt: () => void;
  busy: boolean;
}

export function EditNotice(p: EditNoticeProps) {
  if (p.preview) {
    const { kept, differing } = p.preview;
    return (
      <div className="edit-notice" role="status" data-testid="kept-preview">
        <span>
          Kept draft #{kept.id} by {kept.author}: it differs from the current mask at{' '}
          {differing.toLocaleString()} pixels (Difference <kbd>D</kbd> shows where).
        </span>
        <button onClick={p.onAdopt} disabled={p.busy || p.lease.readOnly} data-testid="adopt-kept">
          Adopt as the current mask
        </button>
        <button onClick={p.onLoadLatest} disabled={p.busy}>
          Back to the current mask
        </button>
      </div>
    );
  }
  if (p.refused) {
    const id = p.refused.keptDraftId;
    return (
      <div className="edit-notice warn" role="alert" data-testid="save-refused">
        {/* Some reasons end in a full stop of their own ("...sends it back."). */}
        <span>Not saved: {p.refused.message.replace(/\.$/, '')}.</span>
        <button onClick={() => p.onOpenKept(id)} disabled={p.busy} data-testid="open-refused-kept">
          Open draft #{id}
        </button>
        <button onClick={p.onLoadLatest} disabled={p.busy}>
          Load the latest mask
        </button>
      </div>
    );
  }
  if (!p.lease.text) return null;
  return (
    <div className="edit-notice" role="status" data-testid="lease-notice" data-mode={p.lease.mode}>
      <span>{p.lease.text}</span>
      {p.lease.canTakeOver && (
        <button
          onClick={p.onTakeOver}
          data-testid="take-over"
          title="Edit this image here (recorded in the audit log)"
        >
          Take over
        </button>
      )}
    </div>
  );
}
