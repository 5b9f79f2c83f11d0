// "Clinical details" for the selected images: patient, eye, visit, camera, field angle. Loads each image's details,
// shows what they share, and saves only what the user changed, in one request for the whole selection.
import { useEffect, useState } from 'react';
import type { ClinicalRecord, Id, ImageSummary } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import { Modal } from '../Modal.js';
import {
  changesFrom,
  edit,
  fieldAngleNote,
  formFrom,
  type ClinicalField,
  type ClinicalFormState,
} from './clinicalForm.js';

const SEVERAL = 'several values';

interface FieldProps {
  form: ClinicalFormState;
  field: ClinicalField;
  label: string;
  onChange: (field: ClinicalField, value: string) => void;
  type?: 'text' | 'number' | 'date';
  hint?: string;
  autoFocus?: boolean;
}

function Field({ form, field, label, onChange, type = 'text', hint, autoFocus }: FieldProps) {
  const f = form[field];
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type={type}
        autoFocus={autoFocus}
        value={f.value}
        placeholder={f.mixed ? SEVERAL : (hint ?? '')}
        onChange={(e) => onChange(field, e.target.value)}
        data-testid={`clinical-${field}`}
        data-mixed={f.mixed || undefined}
      />
    </label>
  );
}

/** The file names of a multi-image edit, the first few in full. */
function namesList(names: string[]): string {
  const shown = names.slice(0, 4).join(', ');
  return names.length > 4 ? `${shown} and ${names.length - 4} more` : shown;
}

export function ClinicalDialog(props: {
  imageIds: Id[];
  /** The images' file names, so the dialog says which records it changes. */
  fileNames: string[];
  onClose: () => void;
  onSaved: (images: ImageSummary[]) => void;
}) {
  const { client, report } = useApp();
  const [form, setForm] = useState<ClinicalFormState | null>(null);
  // Said beside the field angle: DICOM images whose own pixel spacing their measurements use instead.
  const [spacingNote, setSpacingNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    let cancelled = false;
    Promise.all(props.imageIds.map((imageId) => client.invoke('getClinicalInfo', { imageId }))).then(
      (infos: ClinicalRecord[]) => {
        if (cancelled) return;
        setForm(formFrom(infos));
        setSpacingNote(fieldAngleNote(infos));
      },
      (err: unknown) => {
        report(err);
        props.onClose();
      },
    );
    return () => {
      cancelled = true;
    };
    // Loaded once per dialog: the selection does not change while it is open.
  }, []);

  const onChange = (field: ClinicalField, value: string) => {
    setError(null);
    setForm((f) => f && edit(f, field, value));
  };

  const save = async () => {
    if (!form) return;
    const result = changesFrom(form);
    if ('error' in result) return setError(result.error);
    setSaving(true);
    try {
      const { images } = await client.invoke('setClinicalInfo', {
        imageIds: props.imageIds,
        info: result.info,
      });
      props.onSaved(images);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setSaving(false);
    }
  };

  const n = props.imageIds.length;
  return (
    <Modal
      className="clinical"
      label="Clinical details"
      testId="clinical-dialog"
      onClose={props.onClose}
      onSubmit={() => void save()}
    >
      <h3 data-testid="clinical-title">Clinical details · {n === 1 ? props.fileNames[0] : `${n} images`}</h3>
      {n > 1 && <p className="muted">{namesList(props.fileNames)}</p>}
      {!form ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <fieldset>
            <legend>Patient</legend>
            <Field
              form={form}
              field="patientId"
              label="Patient ID"
              autoFocus
              hint="clinic or study code"
              onChange={onChange}
            />
            <Field form={form} field="patientName" label="Name (kept on this computer)" onChange={onChange} />
            <Field form={form} field="birthYear" label="Birth year" type="number" onChange={onChange} />
          </fieldset>
          <fieldset>
            <legend>Image</legend>
            <label className="field">
              <span>Eye</span>
              <select
                value={form.eye.mixed ? 'mixed' : form.eye.value}
                onChange={(e) => onChange('eye', e.target.value)}
                data-testid="clinical-eye"
              >
                {form.eye.mixed && (
                  <option value="mixed" disabled>
                    {SEVERAL}
                  </option>
                )}
                <option value="">unknown</option>
                <option value="OD">OD (right)</option>
                <option value="OS">OS (left)</option>
              </select>
            </label>
            <Field form={form} field="visitDate" label="Visit date" type="date" onChange={onChange} />
            <Field form={form} field="camera" label="Camera" onChange={onChange} />
            <Field
              form={form}
              field="fieldAngleDeg"
              label="Field angle (°)"
              type="number"
              onChange={onChange}
            />
            {spacingNote && (
              <p className="muted" data-testid="clinical-field-angle-note">
                {spacingNote}
              </p>
            )}
          </fieldset>
          <p className="muted">Only the fields you change are saved; empty a field to clear it.</p>
        </>
      )}
      {error && (
        <p className="form-error" role="alert" data-testid="clinical-error">
          {error}
        </p>
      )}
      <div className="row">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={!form || saving} data-testid="clinical-save">
          Save
        </button>
      </div>
    </Modal>
  );
}
