// Asks before a rollback: it changes the model every later prediction uses and re-predicts the draft-free images,
// so one stray click must not do it.
import { useState } from 'react';
import type { ModelSummary } from '../../../shared/contract.js';
import { Modal } from '../Modal.js';
import { TASK_NAME, taskOf } from './taskWords.js';

export function RollbackDialog(props: {
  model: ModelSummary;
  current: ModelSummary | null;
  onConfirm: (reason: string) => void;
  onCancel: () => void;
}) {
  const { model, current } = props;
  const task = taskOf(model);
  const [reason, setReason] = useState('');
  return (
    <Modal labelledBy="rollback-title" testId="rollback-dialog" onClose={props.onCancel}>
      <h3 id="rollback-title">Roll back to {model.name}?</h3>
      <p data-testid="rollback-effect">
        {model.name} becomes the {task === 'vessel' ? '' : `${TASK_NAME[task]} `}model in use
        {current ? ` instead of ${current.name}` : ''}. Images without a draft or an approval are predicted
        again{' '}
        {task === 'vessel'
          ? 'with it'
          : `(their ${task === 'artery-vein' ? 'artery/vein labels' : 'optic disc'} from it)`}
        ; drafts and approved masks stay as they are.
      </p>
      <label className="muted">
        Reason (optional){' '}
        <input
          data-testid="rollback-reason"
          aria-label="Reason for the rollback"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </label>
      <div className="row">
        <button className="primary" data-testid="rollback-confirm" onClick={() => props.onConfirm(reason)}>
          Roll back
        </button>
        <button data-testid="rollback-cancel" onClick={props.onCancel} autoFocus>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
