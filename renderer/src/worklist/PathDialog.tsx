// Asks for a path on the machine running RetinaStudio (browser mode has no native dialog). The shared modal frame
// makes it a labelled dialog that Escape closes, keeps Tab inside it and gives focus back to the Import button.
import { useId, useState } from 'react';
import { Modal } from '../Modal.js';

export function PathDialog(props: { title: string; onSubmit: (path: string) => void; onCancel: () => void }) {
  const [value, setValue] = useState('');
  const titleId = useId();
  return (
    <Modal
      labelledBy={titleId}
      testId="path-dialog"
      onClose={props.onCancel}
      onSubmit={() => value.trim() && props.onSubmit(value.trim())}
    >
      <h3 id={titleId}>{props.title}</h3>
      <p className="muted">A path on the computer running RetinaStudio.</p>
      <input
        autoFocus
        aria-label="Folder path"
        data-testid="path-input"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        placeholder="/path/to/folder"
      />
      <div className="row">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" data-testid="path-submit">
          Import
        </button>
      </div>
    </Modal>
  );
}
