import { useId } from 'react';
import type { AppInfo } from '../../../shared/contract.js';
import { Modal } from '../Modal.js';

/**
 * Version, where the studies live, and the credits for what the app ships that others made. In the shared dialog
 * frame: with its own backdrop it let the viewer's keys through (A approved the image behind it).
 */
export function AboutDialog({ info, onClose }: { info: AppInfo; onClose: () => void }) {
  const titleId = useId();
  return (
    <Modal className="about" testId="about" labelledBy={titleId} onClose={onClose}>
      <h3 id={titleId}>RetinaStudio {info.version}</h3>
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
    </Modal>
  );
}
