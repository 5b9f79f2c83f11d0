// A worklist row's review status: the status word (its text stays the status, e.g. "approved", shown
// capitalised), and under it who approved it, or that it was edited after approval and waits for re-approval.
import type { ImageSummary } from '../../../shared/contract.js';
import { formatWhen } from '../review/reviewLabel.js';

export type StatusBadgeImage = Pick<ImageSummary, 'status' | 'reopened' | 'approvedBy' | 'approvedAt'>;

export function StatusBadge({ image }: { image: StatusBadgeImage }) {
  const { status, reopened, approvedBy, approvedAt } = image;
  const when = approvedAt ? `, ${formatWhen(approvedAt)}` : '';
  const approval = approvedBy ? `approved by ${approvedBy}${when}` : null;
  return (
    <span className="status-cell" title={approval ? `Last ${approval}` : undefined}>
      <span className={`status ${status}`} data-testid="image-status">
        {status}
      </span>
      {reopened ? (
        <span className="status-note reopened" data-testid="image-status-note">
          Edited after approval
        </span>
      ) : status === 'approved' && approvedBy ? (
        <span className="status-note" data-testid="image-status-note">
          by {approvedBy}
        </span>
      ) : null}
    </span>
  );
}
