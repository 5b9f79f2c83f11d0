// Which audit rows are about an image or a patient: the image's own, its mask versions' and its kept drafts'; a
// patient's own, their visits' and their images'. For `retina db audit`, where a reviewer or a data-protection
// officer asks who did what to one record.
import type { AuditFilter } from './audit.js';
import type { Store } from './database.js';

type AnyOf = NonNullable<AuditFilter['anyOf']>;

function ids(store: Store, sql: string, id: number): number[] {
  return store.db.prepare(sql).pluck().all(id) as number[];
}

export function auditRowsOfImages(store: Store, imageIds: readonly number[]): AnyOf {
  const of = (sql: string) => imageIds.flatMap((id) => ids(store, sql, id));
  return [
    { entity: 'image', ids: [...imageIds] },
    { entity: 'mask_version', ids: of('SELECT id FROM mask_versions WHERE image_id = ?') },
    { entity: 'kept_draft', ids: of('SELECT id FROM kept_drafts WHERE image_id = ?') },
  ];
}

export function auditRowsOfPatient(store: Store, patientId: number): AnyOf {
  const studies = ids(store, 'SELECT id FROM studies WHERE patient_id = ?', patientId);
  const images = studies.flatMap((s) => ids(store, 'SELECT id FROM images WHERE study_id = ?', s));
  return [
    { entity: 'patient', ids: [patientId] },
    { entity: 'study', ids: studies },
    ...auditRowsOfImages(store, images),
  ];
}

/** The images of a patient, of one visit date when given, in id order. */
export function imagesOfPatient(store: Store, patientId: number, visitDate?: string): number[] {
  const sql = `SELECT i.id FROM images i JOIN studies s ON s.id = i.study_id WHERE s.patient_id = ?
    ${visitDate !== undefined ? 'AND s.study_date = ?' : ''} ORDER BY i.id`;
  const params = visitDate !== undefined ? [patientId, visitDate] : [patientId];
  return store.db
    .prepare(sql)
    .pluck()
    .all(...params) as number[];
}
