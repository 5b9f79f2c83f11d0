// Report actions (the Measurements panel's, and the worklist's per visit) and the choice of another visit of the
// same eye to compare with. In browser mode a report opens in a new tab that `retina serve` answers (Print / save
// as PDF there) or downloads as HTML; in the desktop app it opens in its own window, and the PDF is printed by main
// behind a save dialog.
import { useEffect, useState } from 'react';
import type { ImageSummary } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import { reportUrl, visitOptions, type VisitOption } from '../measure/compareView.js';

type Target = { imageId: string } | { studyId: string };

/** Opens a report: a new tab served by `retina serve` in browser mode, the report window on the desktop. */
export function ReportLink({ target, label, name }: { target: Target; label: string; name: string }) {
  const { client, report } = useApp();
  if (client.shell === 'browser')
    return (
      <a href={reportUrl(target)} target="_blank" rel="noopener" aria-label={name}>
        {label}
      </a>
    );
  return (
    <button
      type="button"
      aria-label={name}
      onClick={() => void client.invoke('openReportWindow', target).catch(report)}
    >
      {label}
    </button>
  );
}

export function ReportActions({ imageId, studyId }: { imageId: string; studyId: string | null }) {
  const { client, report, notify } = useApp();
  return (
    <p className="report-actions">
      <ReportLink target={{ imageId }} label="Report" name="Open the report of this image" />
      {studyId && (
        <ReportLink
          target={{ studyId }}
          label="Visit report"
          name="Open the report of every image of this visit"
        />
      )}
      {client.shell === 'browser' ? (
        <a
          href={reportUrl({ imageId }, true)}
          download
          aria-label="Download the report of this image as HTML"
        >
          Download HTML
        </a>
      ) : (
        <button
          type="button"
          onClick={() =>
            void client
              .invoke('saveReportPdf', { imageId })
              .then((r) => r.path && notify(`Saved ${r.path}`), report)
          }
        >
          Save PDF…
        </button>
      )}
    </p>
  );
}

/** "Compare with visit…": the same patient's other images of this eye, by visit date. */
export function VisitPicker({
  current,
  onPick,
}: {
  current: ImageSummary;
  onPick: (imageId: string) => void;
}) {
  const { client, imagesVersion, report } = useApp();
  const [options, setOptions] = useState<VisitOption[]>([]);
  useEffect(() => {
    let live = true;
    if (!current.patientId || !current.laterality) {
      setOptions([]);
      return;
    }
    void client
      .invoke('listImages', { offset: 0, limit: 500, patientId: current.patientId })
      .then((page) => live && setOptions(visitOptions(current, page.items)), report);
    return () => {
      live = false;
    };
  }, [client, current, imagesVersion, report]);
  // The visit is chosen, then compared with a button: a select that opened the comparison on change did so at
  // the first arrow key, so the keyboard could only ever compare with the first visit listed.
  const [choice, setChoice] = useState('');
  if (options.length === 0) return null;
  return (
    <span className="compare-pick">
      <label>
        Compare with visit…{' '}
        <select aria-label="Compare with visit" value={choice} onChange={(e) => setChoice(e.target.value)}>
          <option value="">choose</option>
          {options.map((o) => (
            <option key={o.imageId} value={o.imageId}>
              {o.label}
            </option>
          ))}
        </select>
      </label>{' '}
      <button disabled={!choice} onClick={() => onPick(choice)} data-testid="compare-open">
        Compare
      </button>
    </span>
  );
}
