import { useState } from 'react';

/** Asks for a path on the machine running RetinaStudio (browser mode has no native dialog). */
export function PathDialog(props: { title: string; onSubmit: (path: string) => void; onCancel: () => void }) {
  const [value, setValue] = useState('');
  return (
    <div className="modal-backdrop" onClick={props.onCancel}>
      <form
        className="modal"
        onClick={(e) => e.stopPropagation()}
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) props.onSubmit(value.trim());
        }}
      >
        <h3>{props.title}</h3>
        <p className="muted">A path on the computer running RetinaStudio.</p>
        <input
          autoFocus
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
      </form>
    </div>
  );
}
