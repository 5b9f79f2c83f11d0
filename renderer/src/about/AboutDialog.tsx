import type { AppInfo } from '../../../shared/contract.js';

/** Version, where the studies live, and the credits for what the app ships that others made. */
export function AboutDialog({ info, onClose }: { info: AppInfo; onClose: () => void }) {
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal about" data-testid="about" onClick={(e) => e.stopPropagation()}>
        <h3>RetinaStudio {info.version}</h3>
        <p className="muted">
          Studies: {info.databasePath}. Nothing leaves this computer unless you export it.
        </p>
        <h4>Notices</h4>
        <ul>
          {info.notices.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
        <div className="row">
          <button className="primary" onClick={onClose} autoFocus>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
