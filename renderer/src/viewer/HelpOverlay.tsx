import { useId } from 'react';
import { Modal } from '../Modal.js';
import { BINDINGS } from './keymap.js';

/**
 * The viewer's keys, in the shared dialog frame: announced as a dialog, focus in it (so the arrows and Page keys
 * scroll it, and Tab stays in it instead of walking the viewer's controls behind), closed by Escape, H or ?.
 */
export function HelpOverlay({ onClose }: { onClose: () => void }) {
  const titleId = useId();
  return (
    <Modal
      className="help"
      testId="help-overlay"
      labelledBy={titleId}
      onClose={onClose}
      onKey={(key) => (key === 'h' || key === 'H' || key === '?') && onClose()}
    >
      <h3 id={titleId}>Keyboard</h3>
      <table>
        <tbody>
          {BINDINGS.map((b) => (
            <tr key={b.action}>
              <td>
                <kbd>{b.keys}</kbd>
              </td>
              <td>{b.label}</td>
            </tr>
          ))}
          <tr>
            <td>
              <kbd>Wheel / pinch</kbd>
            </td>
            <td>Zoom around the pointer</td>
          </tr>
        </tbody>
      </table>
      <button onClick={onClose}>Close</button>
    </Modal>
  );
}
