// "Erase…" for the selected images: asks the server what would go (and, when ticked, everything else of their
// patients), says it and what erasure cannot reach, and erases only once the user has typed the confirmation word.
import { useEffect, useState } from 'react';
import type { ErasureDone, ErasurePreview, Id } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import { Modal } from '../Modal.js';
import { CONFIRM_WORD, erasureCaveats, erasureSummary } from './erasureText.js';

export function EraseDialog(props: {
  imageIds: Id[];
  /** The patient IDs among the selection (empty when none has a patient). */
  patients: string[];
  onClose: () => void;
  onErased: (done: ErasureDone) => void;
}) {
  const { client } = useApp();
  const [wholePatients, setWholePatients] = useState(false);
  const [preview, setPreview] = useState<ErasurePreview | null>(null);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [erasing, setErasing] = useState(false);

  useEffect(() => {
    let cancelled = false;
    setPreview(null);
    client.invoke('previewErasure', { imageIds: props.imageIds, wholePatients }).then(
      (p) => !cancelled && setPreview(p),
      (err: unknown) => !cancelled && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      cancelled = true;
    };
  }, [client, props.imageIds, wholePatients]);

  const ready = preview !== null && typed.trim().toLowerCase() === CONFIRM_WORD && !erasing;
  const erase = async () => {
    if (!ready) return;
    setErasing(true);
    setError(null);
    try {
      // The images shown are the ones erased: an image added to the patient since is refused, not erased unseen.
      const expectImageIds = preview?.imageIds;
      props.onErased(
        await client.invoke('eraseImages', { imageIds: props.imageIds, wholePatients, expectImageIds }),
      );
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setErasing(false);
    }
  };

  return (
    <Modal
      className="erase"
      role="alertdialog"
      label="Erase for good"
      testId="erase-dialog"
      closable={!erasing}
      onClose={props.onClose}
      onSubmit={() => void erase()}
    >
      <h3>Erase for good</h3>
      {props.patients.length > 0 && (
        <label className="check">
          <input
            type="checkbox"
            checked={wholePatients}
            onChange={(e) => setWholePatients(e.target.checked)}
            data-testid="erase-whole-patients"
          />
          Also every other image of {props.patients.length > 1 ? 'patients' : 'patient'}{' '}
          {props.patients.join(', ')}
        </label>
      )}
      {preview ? (
        <>
          <p data-testid="erase-summary">
            Erases {erasureSummary(preview)} Their masks, drafts and files go, and the audit log keeps only
            who did what and when.
          </p>
          {erasureCaveats(preview).map((line) => (
            <p className="muted" key={line}>
              {line}
            </p>
          ))}
        </>
      ) : (
        !error && <p className="muted">Reading what would go…</p>
      )}
      <label className="field">
        <span>Type “{CONFIRM_WORD}” to confirm</span>
        <input
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoFocus
          autoComplete="off"
          data-testid="erase-confirm-word"
        />
      </label>
      {error && (
        <p className="form-error" role="alert" data-testid="erase-error">
          {error}
        </p>
      )}
      <div className="row">
        <button type="submit" className="danger" disabled={!ready} data-testid="erase-confirm">
          {erasing ? 'Erasing…' : `Erase ${preview ? preview.imageIds.length : ''} image(s)`}
        </button>
        <button type="button" onClick={props.onClose} disabled={erasing}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
