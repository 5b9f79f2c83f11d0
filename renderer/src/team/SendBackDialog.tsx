// A reviewer's "Send back": what needs fixing, in a comment the annotator sees in the viewer.
import { useId, useState } from 'react';
import { Modal } from '../Modal.js';

export interface SendBackDialogProps {
  fileName: string;
  /** While the send is on its way: no second send, and Escape waits for the answer. */
  busy: boolean;
  onSend: (comment: string) => void;
  onCancel: () => void;
}

export function SendBackDialog({ fileName, busy, onSend, onCancel }: SendBackDialogProps) {
  const titleId = useId();
  const [comment, setComment] = useState('');
  const text = comment.trim();
  return (
    <Modal
      labelledBy={titleId}
      testId="send-back-dialog"
      onClose={onCancel}
      closable={!busy}
      onSubmit={() => text && !busy && onSend(text)}
    >
      <h3 id={titleId}>Send {fileName} back</h3>
      <label className="send-back-comment">
        What needs fixing
        <textarea
          value={comment}
          maxLength={2000}
          rows={4}
          autoFocus
          onChange={(e) => setComment(e.target.value)}
        />
      </label>
      <div className="row">
        <button className="primary" type="submit" disabled={!text || busy}>
          Send back
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
