// A small in-app question with two answers (window.confirm blocks the page and is handled badly by Electron and
// by browser automation). Escape or a click beside it answers no; while it is open, keys go nowhere else, so a
// shortcut cannot act behind it.
import { useId } from 'react';
import { Modal } from './Modal.js';

export interface ConfirmDialogProps {
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  testId?: string;
}

export function ConfirmDialog({ question, confirmLabel, onConfirm, onCancel, testId }: ConfirmDialogProps) {
  const titleId = useId();
  return (
    <Modal className="confirm" role="alertdialog" labelledBy={titleId} testId={testId} onClose={onCancel}>
      <p id={titleId}>{question}</p>
      <div className="row">
        <button className="primary" onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button onClick={onCancel} autoFocus>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
