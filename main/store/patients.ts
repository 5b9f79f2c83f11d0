// Patients (pseudonymous) and their studies (visits).
import { NEXT_PATIENT_ID, NEXT_STUDY_ID } from './erased-ids.js';
import { nowIso, type Store } from './database.js';
import { recordAudit } from './audit.js';
import { NotFoundError } from './errors.js';

export interface Patient {
  id: number;
  pseudonym: string;
  birthYear: number | null;
  sex: 'F' | 'M' | 'O' | null;
  notes: string | null;
  createdAt: string;
}

export interface Study {
  id: number;
  patientId: number;
  studyUid: string | null;
  studyDate: string | null;
  device: string | null;
  notes: string | null;
  createdAt: string;
}

export interface PatientInput {
  pseudonym: string;
  /** Real name, kept on this machine only. */
  name?: string | null;
  birthYear?: number | null;
  sex?: 'F' | 'M' | 'O' | null;
  notes?: string | null;
}

export interface StudyInput {
  patientId: number;
  studyUid?: string | null;
  studyDate?: string | null;
  device?: string | null;
  notes?: string | null;
}

interface PatientRow {
  id: number;
  pseudonym: string;
  birth_year: number | null;
  sex: 'F' | 'M' | 'O' | null;
  notes: string | null;
  created_at: string;
}

interface StudyRow {
  id: number;
  patient_id: number;
  study_uid: string | null;
  study_date: string | null;
  device: string | null;
  notes: string | null;
  created_at: string;
}

const toPatient = (r: PatientRow): Patient => ({
  id: r.id,
  pseudonym: r.pseudonym,
  birthYear: r.birth_year,
  sex: r.sex,
  notes: r.notes,
  createdAt: r.created_at,
});

const toStudy = (r: StudyRow): Study => ({
  id: r.id,
  patientId: r.patient_id,
  studyUid: r.study_uid,
  studyDate: r.study_date,
  device: r.device,
  notes: r.notes,
  createdAt: r.created_at,
});

export function getPatient(store: Store, id: number): Patient {
  const row = store.db.prepare('SELECT * FROM patients WHERE id = ?').get(id) as PatientRow | undefined;
  if (!row) throw new NotFoundError(`patient ${id} does not exist`);
  return toPatient(row);
}

export function findPatient(store: Store, pseudonym: string): Patient | null {
  const row = store.db.prepare('SELECT * FROM patients WHERE pseudonym = ?').get(pseudonym) as
    PatientRow | undefined;
  return row ? toPatient(row) : null;
}

export function listPatients(store: Store): Patient[] {
  return (store.db.prepare('SELECT * FROM patients ORDER BY pseudonym').all() as PatientRow[]).map(toPatient);
}

/** Internal (inside a write): the patient with this pseudonym, created when new. */
export function ensurePatientTx(store: Store, input: PatientInput, actor: string): Patient {
  const existing = findPatient(store, input.pseudonym);
  if (existing) return fillMissingPatientFields(store, existing, input, actor);
  const inserted = store.db
    .prepare(
      `INSERT INTO patients (id, pseudonym, name, birth_year, sex, notes, created_at)
       VALUES (${NEXT_PATIENT_ID}, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .pluck()
    .get(
      input.pseudonym,
      input.name ?? null,
      input.birthYear ?? null,
      input.sex ?? null,
      input.notes ?? null,
      nowIso(),
    );
  const id = Number(inserted);
  recordAudit(store, actor, 'patient.create', 'patient', id, { pseudonym: input.pseudonym });
  return getPatient(store, id);
}

/**
 * A known patient's name, birth year or sex that was not known before, taken from a later image (a DICOM of
 * another visit that has them); a value already there is never replaced here (the clinical dialog does that).
 */
function fillMissingPatientFields(
  store: Store,
  patient: Patient,
  input: PatientInput,
  actor: string,
): Patient {
  const filled: Record<string, string | number> = {};
  // A field a person set or cleared in the clinical dialog is theirs: a cleared name stays cleared.
  const touched = fieldsEditedByPerson(store, patient.id);
  if (input.name && !touched.has('name')) {
    const known = store.db.prepare('SELECT name FROM patients WHERE id = ?').pluck().get(patient.id);
    if (known == null) filled.name = input.name;
  }
  if (
    patient.birthYear == null &&
    input.birthYear != null &&
    !touched.has('birthYear') &&
    !visitedBefore(store, patient.id, input.birthYear)
  )
    filled.birth_year = input.birthYear;
  if (patient.sex == null && input.sex) filled.sex = input.sex;
  const columns = Object.keys(filled);
  if (columns.length === 0) return patient;
  store.db
    .prepare(`UPDATE patients SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`)
    .run(...Object.values(filled), patient.id);
  // The audit names what was filled in, not the values (a name stays on this machine's record only).
  recordAudit(store, actor, 'patient.update', 'patient', patient.id, { filled: columns });
  return getPatient(store, patient.id);
}

/**
 * Whether one of the patient's visits is dated before `year`: the header's birth year was checked against its own
 * visit only, and a year after an earlier visit cannot be right (left unknown, for a person to enter).
 */
function visitedBefore(store: Store, patientId: number, year: number): boolean {
  const first = store.db
    .prepare('SELECT MIN(study_date) FROM studies WHERE patient_id = ? AND study_date IS NOT NULL')
    .pluck()
    .get(patientId) as string | null | undefined;
  return first != null && Number(first.slice(0, 4)) < year;
}

/** The patient fields a person changed in the clinical dialog (its audit entries name them; a fill-in's do not). */
function fieldsEditedByPerson(store: Store, patientId: number): Set<string> {
  const rows = store.db
    .prepare(
      "SELECT details FROM audit_log WHERE entity = 'patient' AND entity_id = ? AND action = 'patient.update'",
    )
    .pluck()
    .all(patientId) as (string | null)[];
  const out = new Set<string>();
  for (const row of rows) {
    const details = row ? (JSON.parse(row) as Record<string, unknown>) : {};
    if (!('filled' in details)) for (const key of Object.keys(details)) out.add(key);
  }
  return out;
}

export function createPatient(store: Store, input: PatientInput, actor: string): Patient {
  return store.write('create a patient', () => ensurePatientTx(store, input, actor));
}

export function getStudy(store: Store, id: number): Study {
  const row = store.db.prepare('SELECT * FROM studies WHERE id = ?').get(id) as StudyRow | undefined;
  if (!row) throw new NotFoundError(`study ${id} does not exist`);
  return toStudy(row);
}

export function listStudies(store: Store, patientId: number): Study[] {
  const rows = store.db
    .prepare('SELECT * FROM studies WHERE patient_id = ? ORDER BY study_date, id')
    .all(patientId) as StudyRow[];
  return rows.map(toStudy);
}

/** Internal (inside a write): reuses a study with the same UID, else creates one. */
export function ensureStudyTx(store: Store, input: StudyInput, actor: string): Study {
  if (input.studyUid) {
    const row = store.db.prepare('SELECT * FROM studies WHERE study_uid = ?').get(input.studyUid) as
      StudyRow | undefined;
    if (row) return toStudy(row);
  }
  const inserted = store.db
    .prepare(
      `INSERT INTO studies (id, patient_id, study_uid, study_date, device, notes, created_at)
       VALUES (${NEXT_STUDY_ID}, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .pluck()
    .get(
      input.patientId,
      input.studyUid ?? null,
      input.studyDate ?? null,
      input.device ?? null,
      input.notes ?? null,
      nowIso(),
    );
  const id = Number(inserted);
  recordAudit(store, actor, 'study.create', 'study', id, {
    patientId: input.patientId,
    studyUid: input.studyUid,
  });
  return getStudy(store, id);
}

export function createStudy(store: Store, input: StudyInput, actor: string): Study {
  return store.write('create a study', () => ensureStudyTx(store, input, actor));
}

/**
 * Internal (inside a write): the patient's visit on `date` with camera `device` (null matches null), created when
 * new. A visit is a study without a DICOM UID, found by what a person knows of it: the day and the camera.
 */
export function ensureVisitTx(
  store: Store,
  visit: { patientId: number; studyDate: string | null; device: string | null },
  actor: string,
): Study {
  const row = store.db
    .prepare(
      `SELECT * FROM studies WHERE patient_id = ? AND study_date IS NOT DISTINCT FROM ? AND device IS NOT DISTINCT FROM ?
       ORDER BY (study_uid IS NOT NULL), id LIMIT 1`,
    )
    .get(visit.patientId, visit.studyDate, visit.device) as StudyRow | undefined;
  return row ? toStudy(row) : ensureStudyTx(store, visit, actor);
}
