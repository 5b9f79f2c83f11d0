// An image's clinical context in one read: its patient (pseudonym, optional name, birth year), eye, visit date,
// camera (the study's device) and field angle. Exports, the worklist and the clinical editor all read it here;
// setClinical is the one place that changes it.
import { clinicalDateProblem, isCalendarDate } from '../../shared/clinical-dates.js';
import { recordAudit } from './audit.js';
import type { Store } from './database.js';
import { similarPatientIds } from './patient-twins.js';
import { ConstraintError, NotFoundError } from './errors.js';
import type { Laterality } from './images.js';
import { ensurePatientTx, ensureVisitTx } from './patients.js';

export interface ClinicalRecord {
  imageId: number;
  patientDbId: number | null;
  /** Pseudonymous patient identifier; null when the image has no patient. */
  pseudonym: string | null;
  name: string | null;
  birthYear: number | null;
  eye: Laterality | null;
  studyId: number | null;
  visitDate: string | null;
  camera: string | null;
  fieldAngleDeg: number | null;
}

interface ClinicalRow {
  image_id: number;
  patient_id: number | null;
  pseudonym: string | null;
  name: string | null;
  birth_year: number | null;
  laterality: Laterality | null;
  study_id: number | null;
  study_date: string | null;
  device: string | null;
  field_angle_deg: number | null;
}

const SELECT = `SELECT i.id AS image_id, p.id AS patient_id, p.pseudonym, p.name, p.birth_year, i.laterality,
    s.id AS study_id, s.study_date, s.device, i.field_angle_deg
  FROM images i LEFT JOIN studies s ON s.id = i.study_id LEFT JOIN patients p ON p.id = s.patient_id`;

const toRecord = (r: ClinicalRow): ClinicalRecord => ({
  imageId: r.image_id,
  patientDbId: r.patient_id,
  pseudonym: r.pseudonym,
  name: r.name,
  birthYear: r.birth_year,
  eye: r.laterality,
  studyId: r.study_id,
  visitDate: r.study_date,
  camera: r.device,
  fieldAngleDeg: r.field_angle_deg,
});

export function getClinical(store: Store, imageId: number): ClinicalRecord {
  const row = store.db.prepare(`${SELECT} WHERE i.id = ?`).get(imageId) as ClinicalRow | undefined;
  if (!row) throw new NotFoundError(`image ${imageId} does not exist`);
  return toRecord(row);
}

/** Clinical records of many images at once (ids not found are left out), in the order asked. */
export function getClinicalMany(store: Store, imageIds: readonly number[]): ClinicalRecord[] {
  const stmt = store.db.prepare(`${SELECT} WHERE i.id = ?`);
  const out: ClinicalRecord[] = [];
  for (const id of imageIds) {
    const row = stmt.get(id) as ClinicalRow | undefined;
    if (row) out.push(toRecord(row));
  }
  return out;
}

/** Changes to images' clinical context: a field absent stays as it is, null clears it. */
export interface ClinicalChanges {
  /** Pseudonym of the patient the images belong to (created when new); null: no patient. */
  patientId?: string | null;
  /** Set on the patient, not the image. */
  patientName?: string | null;
  birthYear?: number | null;
  eye?: Laterality | null;
  /** ISO date: the image moves to its patient's visit of that day. */
  visitDate?: string | null;
  /** The visit's device: the image moves to its patient's visit of that day with this camera. */
  camera?: string | null;
  fieldAngleDeg?: number | null;
}

/**
 * A typed value as stored: one Unicode form (an "é" typed on one keyboard and pasted from another system must be
 * one patient, not two that look the same), unusual spaces as spaces, trimmed; control characters refused.
 */
function cleanText(v: string | null | undefined, what: string, max: number): string | null | undefined {
  if (v === undefined || v === null) return v;
  // eslint-disable-next-line no-control-regex -- control characters are what is looked for
  if (/[\u0000-\u001f\u007f]/.test(v))
    throw new ConstraintError(`${what} holds a control character (a line break?)`);
  const t = v
    .normalize('NFC')
    .replace(/[\u00a0\u2000-\u200b\u202f\u205f\u3000]/g, ' ')
    .trim();
  if ([...t].length > max) throw new ConstraintError(`${what} is longer than ${max} characters`);
  return t === '' ? null : t;
}

function checkChanges(c: ClinicalChanges): ClinicalChanges {
  const out: ClinicalChanges = {
    ...c,
    patientId: cleanText(c.patientId, 'patient ID', 64),
    patientName: cleanText(c.patientName, 'patient name', 200),
    camera: cleanText(c.camera, 'camera', 200),
  };
  for (const k of Object.keys(out) as (keyof ClinicalChanges)[]) if (out[k] === undefined) delete out[k];
  if (
    out.birthYear != null &&
    (!Number.isInteger(out.birthYear) || out.birthYear < 1880 || out.birthYear > 2100)
  )
    throw new ConstraintError(`birth year ${out.birthYear} is not a year between 1880 and 2100`);
  if (out.visitDate != null && !isCalendarDate(out.visitDate))
    throw new ConstraintError(`visit date "${out.visitDate}" is not a calendar date YYYY-MM-DD from 1900 on`);
  const dates = clinicalDateProblem(out, new Date());
  if (dates) throw new ConstraintError(dates);
  // The range the handlers, the CLI and a DICOM header's field of view are held to: below a degree is no camera's.
  if (out.fieldAngleDeg != null && !(out.fieldAngleDeg >= 1 && out.fieldAngleDeg <= 250))
    throw new ConstraintError(`field angle ${out.fieldAngleDeg} is not between 1 and 250 degrees`);
  if (out.eye != null && out.eye !== 'OD' && out.eye !== 'OS')
    throw new ConstraintError(`eye "${String(out.eye)}" is neither OD nor OS`);
  return out;
}

/**
 * A new patient ID that differs from an existing one only in case or leading zeros ("p001" beside "P001", "12"
 * beside "0012") is a slip that would split one patient's visits into two look-alike groups: refused, naming the
 * existing one (an import only warns of such an ID, patient-twins.ts; here a person types it).
 */
function refuseCaseTwin(store: Store, pseudonym: string): void {
  const exists = store.db.prepare('SELECT 1 FROM patients WHERE pseudonym = ?').get(pseudonym) !== undefined;
  if (exists) return;
  const [twin] = similarPatientIds(store, pseudonym);
  if (twin !== undefined)
    throw new ConstraintError(
      `patient ID ${pseudonym} differs from the existing ${twin} only in ` +
        `${twin.toLowerCase() === pseudonym.toLowerCase() ? 'case' : 'case or leading zeros'}: use ${twin}, or another ID`,
    );
}

/**
 * Inside the write, after the change: a patient's visits all on or after their birth year. The form checks the
 * fields it is given; this checks them against what is stored (a birth year typed on one image, after the date of
 * another visit of the same patient).
 */
function refuseVisitBeforeBirth(store: Store, patientId: number): void {
  const row = store.db
    .prepare(
      `SELECT p.birth_year AS birthYear, MIN(s.study_date) AS firstVisit FROM patients p
       LEFT JOIN studies s ON s.patient_id = p.id AND s.study_date IS NOT NULL WHERE p.id = ? GROUP BY p.birth_year`,
    )
    .get(patientId) as { birthYear: number | null; firstVisit: string | null } | undefined;
  if (row?.birthYear != null && row.firstVisit && Number(row.firstVisit.slice(0, 4)) < row.birthYear)
    throw new ConstraintError(`Visit date ${row.firstVisit} is before the birth year ${row.birthYear}`);
}

/** Fields only an image with a patient can have, in words. */
const PATIENT_FIELDS = {
  patientName: 'name',
  birthYear: 'birth year',
  visitDate: 'visit date',
  camera: 'camera',
} as const;

const has = (c: ClinicalChanges, k: keyof ClinicalChanges): boolean => k in c;

/** The fields of `before` that `after` changed, side by side (what the audit entry records). */
function diff(before: ClinicalRecord, after: ClinicalRecord): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  const fields = ['pseudonym', 'eye', 'visitDate', 'camera', 'fieldAngleDeg', 'studyId'] as const;
  for (const f of fields) if (before[f] !== after[f]) out[f] = [before[f], after[f]];
  return out;
}

/** Internal: sets a patient's name and birth year where asked. The audit says a name changed, never the name. */
function updatePatientTx(store: Store, patientId: number, c: ClinicalChanges, actor: string): void {
  const p = store.db.prepare('SELECT name, birth_year FROM patients WHERE id = ?').get(patientId) as {
    name: string | null;
    birth_year: number | null;
  };
  const name = has(c, 'patientName') ? (c.patientName ?? null) : p.name;
  const birthYear = has(c, 'birthYear') ? (c.birthYear ?? null) : p.birth_year;
  if (name === p.name && birthYear === p.birth_year) return;
  store.db
    .prepare('UPDATE patients SET name = ?, birth_year = ? WHERE id = ?')
    .run(name, birthYear, patientId);
  recordAudit(store, actor, 'patient.update', 'patient', patientId, {
    ...(name !== p.name ? { name: name === null ? 'cleared' : 'set' } : {}),
    ...(birthYear !== p.birth_year ? { birthYear: [p.birth_year, birthYear] } : {}),
  });
}

/**
 * Internal: removes studies a move left empty, and patients left with no study, when they hold nothing a person
 * typed (a DICOM study UID, notes, a name, a birth year): a mistyped patient ID corrected leaves no trace behind.
 */
/** See setClinical: the selection is all the images of one patient, and the ID they are given is new. */
function renameIfCorrection(store: Store, before: ClinicalRecord[], pseudonym: string, actor: string): void {
  const owners = new Set(before.map((r) => r.patientDbId));
  const [owner] = owners;
  if (owners.size !== 1 || owner === null || owner === undefined) return;
  if (store.db.prepare('SELECT 1 FROM patients WHERE pseudonym = ?').get(pseudonym) !== undefined) return;
  const all = store.db
    .prepare('SELECT COUNT(*) FROM images i JOIN studies s ON s.id = i.study_id WHERE s.patient_id = ?')
    .pluck()
    .get(owner) as number;
  if (all !== before.length) return;
  const from = store.db.prepare('SELECT pseudonym FROM patients WHERE id = ?').pluck().get(owner);
  store.db.prepare('UPDATE patients SET pseudonym = ? WHERE id = ?').run(pseudonym, owner);
  recordAudit(store, actor, 'patient.rename', 'patient', owner, { from, to: pseudonym });
}

/**
 * Internal: a patient left with no images by a move to `into` (another patient: a merge) gives that patient what
 * it did not know (name, birth year, sex), so nothing typed is stranded on a patient no screen shows, then goes.
 */
function mergeLeftPatientTx(store: Store, from: number, into: number, actor: string): void {
  const fields = ['name', 'birth_year', 'sex'] as const;
  for (const f of fields)
    store.db
      .prepare(
        `UPDATE patients SET ${f} = (SELECT ${f} FROM patients WHERE id = ?) WHERE id = ? AND ${f} IS NULL`,
      )
      .run(from, into);
  store.db.prepare('DELETE FROM patients WHERE id = ?').run(from);
  recordAudit(store, actor, 'patient.merge', 'patient', from, { into });
}

function dropEmptyTx(store: Store, studyIds: Set<number>, actor: string, into: number | null = null): void {
  const patients = new Set<number>();
  for (const id of studyIds) {
    const s = store.db
      .prepare(
        `SELECT patient_id FROM studies WHERE id = ? AND study_uid IS NULL AND notes IS NULL
           AND NOT EXISTS (SELECT 1 FROM images WHERE study_id = studies.id)`,
      )
      .get(id) as { patient_id: number } | undefined;
    if (!s) continue;
    store.db.prepare('DELETE FROM studies WHERE id = ?').run(id);
    recordAudit(store, actor, 'study.delete', 'study', id, { reason: 'empty after a clinical change' });
    patients.add(s.patient_id);
  }
  for (const id of patients) {
    const empty =
      store.db.prepare('SELECT 1 FROM studies WHERE patient_id = ?').get(id) === undefined &&
      store.db.prepare('SELECT notes FROM patients WHERE id = ?').pluck().get(id) == null;
    if (empty && into !== null && into !== id) {
      mergeLeftPatientTx(store, id, into, actor);
      continue;
    }
    const gone = store.db
      .prepare(
        `DELETE FROM patients WHERE id = ? AND name IS NULL AND birth_year IS NULL AND sex IS NULL AND notes IS NULL
           AND NOT EXISTS (SELECT 1 FROM studies WHERE patient_id = patients.id)`,
      )
      .run(id).changes;
    if (gone) recordAudit(store, actor, 'patient.delete', 'patient', id, { reason: 'no images left' });
  }
}

/**
 * Sets the clinical context of images in one audited transaction. A patient ID names the patient (created when
 * new); the visit date and camera name the patient's visit (a study, created when needed), which the image moves
 * to. Masks belong to the image, not the study, so a move never touches them. An image without a patient has no
 * visit and no name: asking for one is a ConstraintError and changes nothing.
 */
export function setClinical(
  store: Store,
  imageIds: readonly number[],
  changes: ClinicalChanges,
  actor: string,
): ClinicalRecord[] {
  const c = checkChanges(changes);
  return store.write('set clinical information', () => {
    const before = imageIds.map((id) => getClinical(store, id));
    // A name or birth year is one patient's: typed over images of several, it was written onto each of them.
    const setsPatient =
      (has(c, 'patientName') && c.patientName) || (has(c, 'birthYear') && c.birthYear != null);
    if (setsPatient && !has(c, 'patientId')) {
      const patients = [...new Set(before.map((r) => r.pseudonym).filter((p): p is string => p !== null))];
      if (patients.length > 1)
        throw new ConstraintError(
          `the images are of ${patients.length} patients (${patients.slice(0, 3).join(', ')}${patients.length > 3 ? ', ...' : ''}): ` +
            'set a name or birth year for one patient at a time',
        );
    }
    if (c.patientId) refuseCaseTwin(store, c.patientId);
    // A mistyped patient ID corrected over all of that patient's images is the same patient renamed: their name,
    // birth year and DICOM studies go with them (a new patient beside the old one stranded them on it).
    if (c.patientId) renameIfCorrection(store, before, c.patientId, actor);
    const target = has(c, 'patientId')
      ? c.patientId
        ? ensurePatientTx(store, { pseudonym: c.patientId }, actor).id
        : null
      : undefined;
    const needsPatient = Object.entries(PATIENT_FIELDS)
      .filter(([k]) => has(c, k as keyof ClinicalChanges) && c[k as keyof ClinicalChanges] !== null)
      .map(([, words]) => words);
    const patientsTouched = new Set<number>();
    const leftStudies = new Set<number>();
    for (const rec of before) {
      const patientId = target === undefined ? rec.patientDbId : target;
      if (patientId === null) {
        if (needsPatient.length > 0) {
          const name = store.db.prepare('SELECT file_name FROM images WHERE id = ?').pluck().get(rec.imageId);
          throw new ConstraintError(
            `${String(name)} has no patient: give a patient ID to set its ${needsPatient.join(', ')}`,
          );
        }
        if (rec.studyId !== null) {
          store.db.prepare('UPDATE images SET study_id = NULL WHERE id = ?').run(rec.imageId);
          leftStudies.add(rec.studyId);
        }
      } else {
        patientsTouched.add(patientId);
        const visitDate = has(c, 'visitDate') ? (c.visitDate ?? null) : rec.visitDate;
        const camera = has(c, 'camera') ? (c.camera ?? null) : rec.camera;
        const stays = rec.patientDbId === patientId && rec.visitDate === visitDate && rec.camera === camera;
        if (!stays) {
          const study = ensureVisitTx(store, { patientId, studyDate: visitDate, device: camera }, actor);
          store.db.prepare('UPDATE images SET study_id = ? WHERE id = ?').run(study.id, rec.imageId);
          if (rec.studyId !== null && rec.studyId !== study.id) leftStudies.add(rec.studyId);
        }
      }
      if (has(c, 'eye'))
        store.db.prepare('UPDATE images SET laterality = ? WHERE id = ?').run(c.eye ?? null, rec.imageId);
      if (has(c, 'fieldAngleDeg'))
        store.db
          .prepare('UPDATE images SET field_angle_deg = ? WHERE id = ?')
          .run(c.fieldAngleDeg ?? null, rec.imageId);
    }
    if (has(c, 'patientName') || has(c, 'birthYear'))
      for (const id of patientsTouched) updatePatientTx(store, id, c, actor);
    for (const id of patientsTouched) refuseVisitBeforeBirth(store, id);
    const after = imageIds.map((id) => getClinical(store, id));
    after.forEach((rec, i) => {
      const changed = diff(before[i], rec);
      if (Object.keys(changed).length > 0)
        recordAudit(store, actor, 'image.clinical', 'image', rec.imageId, changed);
    });
    dropEmptyTx(store, leftStudies, actor, target ?? null);
    return after;
  });
}
