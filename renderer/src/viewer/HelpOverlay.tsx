import { BINDINGS } from './keymap.js';

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  return (
    <div className="modal-backdrop" onClick={onClose} data-testid="help-overlay">
      <div className="modal help" onClick={(e) => e.stopPropagation()}>
        <h3>Keyboard</h3>
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
      </div>
    </div>
  );
}
