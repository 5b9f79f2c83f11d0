// A reviewer's "Send back": what needs fixing, in a comment the annotator sees in the viewer.
import { useId, useState } from 'react';
import { Modal } from '../Modal.js';

export interface SendBackDialogProps {
  fileName: string;
  onSend: (comment: string) => void;
  onCancel: () => void;
}

export function SendBackDialog({ fileName, onSend, onCancel }: SendBackDialogProps) {
  const titleId = useId();
  const [comment, setComment] = useState('');
  const text = comment.trim();
  return (
    <Modal
      labelledBy={titleId}
      testId="send-back-dialog"
      onClose={onCancel}
      onSubmit={() => text && onSend(text)}
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
        <button className="primary" type="submit" disabled={!text}>
          Send back
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
