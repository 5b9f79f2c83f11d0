// Export dialog: which parts, which masks, whether names go along; then a folder (desktop) or a zip download.
import { useEffect, useState } from 'react';
import type { ExportPart, ExportRequest } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import { Modal } from '../Modal.js';
import { downloadBytes } from './download.js';
import { runExport } from './runExport.js';
import './export.css';
import { plural } from '../../../shared/plural.js';

const PART_LABELS: { part: ExportPart; label: string }[] = [
  { part: 'masks', label: 'Masks, with artery/vein maps where predicted (PNG)' },
  { part: 'probabilities', label: 'Probability maps, with uncertainty maps where estimated (PNG)' },
  { part: 'coco', label: 'COCO annotations (JSON, RLE)' },
  { part: 'metrics', label: 'Metrics per image (CSV)' },
  { part: 'clinical', label: 'Patient, eye and visit (images.csv)' },
  { part: 'measures', label: 'Vessel measures (measures.csv, JSON per image)' },
];
const DEFAULT_PARTS: ExportPart[] = ['masks', 'coco', 'metrics', 'clinical'];

export function ExportDialog({ imageIds, onClose }: { imageIds: string[] | null; onClose: () => void }) {
  const { client, notify, report } = useApp();
  const [parts, setParts] = useState<ExportPart[]>(DEFAULT_PARTS);
  const [source, setSource] = useState<ExportRequest['source']>('best');
  const [includeNames, setIncludeNames] = useState(false);
  const [deidentify, setDeidentify] = useState(false);
  const [busy, setBusy] = useState(false);
  const [total, setTotal] = useState<number | null>(null);
  const browser = client.shell === 'browser';

  useEffect(() => {
    if (imageIds) return;
    client.invoke('listImages', { offset: 0, limit: 1 }).then((p) => setTotal(p.total), report);
  }, [client, imageIds, report]);

  const togglePart = (part: ExportPart, on: boolean) =>
    setParts((cur) => PART_LABELS.map((p) => p.part).filter((p) => (p === part ? on : cur.includes(p))));

  const start = async () => {
    setBusy(true);
    try {
      const outcome = await runExport(
        client,
        { imageIds, parts, source, includeNames: includeNames && !deidentify, deidentify },
        downloadBytes,
      );
      if (outcome.kind === 'cancelled') return;
      const { result } = outcome;
      notify(
        outcome.kind === 'folder'
          ? `Exported ${result.images} image(s) to ${result.folder}`
          : `Downloaded ${result.zipName} (${result.images} image(s))`,
        'info',
      );
      onClose();
    } catch (err) {
      report(err);
    } finally {
      setBusy(false);
    }
  };

  const what = imageIds
    ? plural(imageIds.length, 'selected image')
    : total === null
      ? 'all images'
      : total === 1
        ? 'the 1 image'
        : `all ${plural(total, 'image')}`;
  return (
    <Modal
      className="export-dialog"
      labelledBy="export-title"
      testId="export-dialog"
      onClose={onClose}
      closable={!busy}
      onSubmit={() => {
        if (!busy && parts.length > 0) void start();
      }}
    >
      <h3 id="export-title">Export {what}</h3>
      <fieldset>
        <legend>Include</legend>
        {PART_LABELS.map(({ part, label }) => (
          <label key={part} className="check">
            <input
              type="checkbox"
              checked={parts.includes(part)}
              onChange={(e) => togglePart(part, e.target.checked)}
              data-testid={`export-part-${part}`}
            />
            {label}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Masks</legend>
        <label className="check">
          <input
            type="radio"
            name="export-source"
            checked={source === 'best'}
            onChange={() => setSource('best')}
            data-testid="export-source-best"
          />
          Latest: approved, else draft, else prediction
        </label>
        <label className="check">
          <input
            type="radio"
            name="export-source"
            checked={source === 'approved'}
            onChange={() => setSource('approved')}
            data-testid="export-source-approved"
          />
          Approved only
        </label>
      </fieldset>
      <label className="check">
        <input
          type="checkbox"
          checked={deidentify}
          onChange={(e) => setDeidentify(e.target.checked)}
          data-testid="export-deidentify"
        />
        Remove identifiers: images named by number, patients coded P0001… for this export (no names, IDs or
        file names; birth years, eyes, visit dates and cameras kept)
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={includeNames && !deidentify}
          disabled={deidentify}
          onChange={(e) => setIncludeNames(e.target.checked)}
          data-testid="export-include-names"
        />
        Include patient names (otherwise left out; patient IDs, visit dates and file names are kept)
      </label>
      <p className="muted">
        {browser
          ? 'The export downloads as one zip file.'
          : 'Choose a folder next; a folder that is not empty gets a new dated folder inside it.'}
      </p>
      {/* Present from the start, so that a screen reader says the progress when it is written, once. */}
      <p role="status" className="muted" data-testid="export-progress">
        {busy ? `Exporting ${what}…` : ''}
      </p>
      <div className="row">
        <button type="button" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button
          type="submit"
          className="primary"
          disabled={busy || parts.length === 0 || total === 0}
          data-testid="export-start"
        >
          {busy ? 'Exporting…' : browser ? 'Download zip' : 'Choose folder…'}
        </button>
      </div>
    </Modal>
  );
}
