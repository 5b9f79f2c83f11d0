// The clinical details form for one or many images, as pure functions. A field the selected images disagree on
// shows as "several values" and is left alone unless the user types into it; only fields the user changed are
// sent, so editing the eye of ten images never touches their visits.
import { clinicalDateProblem, isCalendarDate } from '../../../shared/clinical-dates.js';
import type { ClinicalInfo, ClinicalRecord } from '../../../shared/contract.js';

export type ClinicalField = keyof ClinicalInfo;
export const CLINICAL_FIELDS: readonly ClinicalField[] = [
  'patientId',
  'patientName',
  'birthYear',
  'eye',
  'visitDate',
  'camera',
  'fieldAngleDeg',
];

export interface FieldState {
  /** As typed ('' for none). */
  value: string;
  /** The images disagree and the user has not typed here. */
  mixed: boolean;
  touched: boolean;
}

export type ClinicalFormState = Record<ClinicalField, FieldState>;

const text = (v: ClinicalInfo[ClinicalField]): string => (v === null ? '' : String(v));

export function formFrom(infos: readonly ClinicalInfo[]): ClinicalFormState {
  const form = {} as ClinicalFormState;
  for (const f of CLINICAL_FIELDS) {
    const values = new Set(infos.map((i) => text(i[f])));
    form[f] = {
      value: values.size === 1 ? [...values][0] : '',
      mixed: values.size > 1,
      touched: false,
    };
  }
  return form;
}

export function edit(form: ClinicalFormState, field: ClinicalField, value: string): ClinicalFormState {
  return { ...form, [field]: { value, mixed: false, touched: true } };
}

function number(
  raw: string,
  what: string,
  min: number,
  max: number,
  integer: boolean,
): number | null | string {
  if (raw === '') return null;
  const n = Number(raw);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max)
    return `${what} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`;
  return n;
}

/** The changes to send, or a one-line reason the form cannot be saved. */
export function changesFrom(form: ClinicalFormState): { info: Partial<ClinicalInfo> } | { error: string } {
  const info: Partial<ClinicalInfo> = {};
  const str = (f: 'patientId' | 'patientName' | 'camera') => form[f].value.trim() || null;
  if (form.patientId.touched) info.patientId = str('patientId');
  if (form.patientName.touched) info.patientName = str('patientName');
  if (form.camera.touched) info.camera = str('camera');
  if (form.eye.touched) {
    const v = form.eye.value;
    if (v !== '' && v !== 'OD' && v !== 'OS') return { error: 'Eye must be OD, OS or unknown' };
    info.eye = v === '' ? null : v;
  }
  if (form.visitDate.touched) {
    const v = form.visitDate.value.trim();
    if (v !== '' && !isCalendarDate(v)) return { error: 'Visit date must be a date such as 2024-03-15' };
    info.visitDate = v || null;
  }
  for (const [f, what, min, max, integer] of [
    ['birthYear', 'Birth year', 1880, 2100, true],
    ['fieldAngleDeg', 'Field angle', 1, 250, false],
  ] as const) {
    if (!form[f].touched) continue;
    const n = number(form[f].value.trim(), what, min, max, integer);
    if (typeof n === 'string') return { error: n };
    info[f] = n;
  }
  // The dates as they will stand: those typed, else those shown (the record's, unless several records differ).
  const shown = (f: 'birthYear' | 'visitDate') => (form[f].mixed ? '' : form[f].value.trim());
  const birth = 'birthYear' in info ? info.birthYear : shown('birthYear') ? Number(shown('birthYear')) : null;
  const visit = 'visitDate' in info ? info.visitDate : shown('visitDate') || null;
  const datesTyped = 'birthYear' in info || 'visitDate' in info;
  const dates = datesTyped ? clinicalDateProblem({ birthYear: birth, visitDate: visit }, new Date()) : null;
  if (dates) return { error: dates };
  // Everything but the eye and the field angle belongs to a patient: say so before the server does.
  const noPatient = !form.patientId.mixed && form.patientId.value.trim() === '';
  const needing = (['patientName', 'birthYear', 'visitDate', 'camera'] as const).filter(
    (f) => f in info && info[f] !== null,
  );
  if (noPatient && needing.length > 0)
    return { error: 'Enter a patient ID: a name, birth year, visit date or camera belongs to a patient' };
  if (Object.keys(info).length === 0) return { error: 'Nothing changed' };
  return { info };
}

/**
 * Beside the field angle: the images whose DICOM pixel spacing gives their scale, for which a field angle entered is
 * kept but not used (the Measurements panel says "Micrometres from the DICOM pixel spacing"). Null when none has one.
 */
export function fieldAngleNote(records: readonly ClinicalRecord[]): string | null {
  const own = records.flatMap((r) => (r.dicomPixelUm === null ? [] : [r.dicomPixelUm]));
  if (own.length === 0) return null;
  const use = 'measurements use it, not the field angle';
  if (records.length === 1)
    return `This DICOM image has its own pixel spacing (${own[0].toPrecision(3)} µm per pixel): its ${use}.`;
  const which =
    own.length === records.length
      ? `All ${records.length} images`
      : `${own.length} of ${records.length} images`;
  return `${which} are DICOM with their own pixel spacing: their ${use}.`;
}
