// The viewer's right column: approve and predict, the overlay, prediction and display sections, view and list
// navigation, and the way back to the worklist.
import type { ReactNode } from 'react';
import type { Action } from './keymap.js';
import type { Prediction } from './usePrediction.js';

export interface ViewerPanelProps {
  canApprove: boolean;
  /** False for team-mode annotators, who submit for review instead (teamActions). */
  mayApprove: boolean;
  /** Team mode's submit / send back buttons. */
  teamActions?: ReactNode;
  /** Already approved: the button says so (reopening is in the header). */
  approved: boolean;
  /** An active model exists to predict with. */
  canPredict: boolean;
  prediction: Prediction;
  hasPrevious: boolean;
  hasNext: boolean;
  run: (action: Action) => void;
  onClose: () => void;
  /** The overlay, prediction and display sections. */
  children: ReactNode;
}

export function ViewerPanel(props: ViewerPanelProps) {
  const { canApprove, approved, canPredict, prediction, hasPrevious, hasNext, run, onClose, children } =
    props;
  const { mayApprove, teamActions } = props;
  const { jobId, job } = prediction;
  return (
    <aside className="panel">
      {mayApprove && (
        <button
          className="primary big"
          onClick={() => run('approve')}
          disabled={!canApprove || approved}
          data-testid="approve"
          title="Approve this mask and open the next image that still needs work"
        >
          {approved ? 'Approved' : 'Approve'} <kbd>A</kbd>
        </button>
      )}
      {teamActions}
      <button onClick={() => run('predict')} disabled={!canPredict || jobId !== null} data-testid="predict">
        {jobId ? `Predicting… ${job ? `${job.done}/${job.total}` : ''}` : 'Predict'} <kbd>P</kbd>
      </button>
      {jobId && <button onClick={prediction.cancel}>Cancel</button>}
      {children}
      <div className="row">
        <button onClick={() => run('fit')}>
          Fit <kbd>0</kbd>
        </button>
        <button onClick={() => run('actual')}>
          1:1 <kbd>1</kbd>
        </button>
      </div>
      <div className="row">
        <button onClick={() => run('previous')} disabled={!hasPrevious}>
          ← Prev
        </button>
        <button onClick={() => run('next')} disabled={!hasNext}>
          Next →
        </button>
      </div>
      <button onClick={onClose}>Back to worklist</button>
    </aside>
  );
}
