// An image's clinical context in one read: its patient (pseudonym, optional name, birth year), eye, visit date,
// camera (the study's device) and field angle. Exports, the worklist and the clinical editor all read it here.
import type { Store } from './database.js';
import { NotFoundError } from './errors.js';
import type { Laterality } from './images.js';

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
