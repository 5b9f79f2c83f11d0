// Which audit rows are about an image or a patient: the image's own, its mask versions' and its kept drafts'; a
// patient's own, their visits' and their images'. For `retina db audit`, where a reviewer or a data-protection
// officer asks who did what to one record.
import type { AuditFilter } from './audit.js';
import type { Store } from './database.js';

type AnyOf = NonNullable<AuditFilter['anyOf']>;

/** What an `image.erase` entry keeps of the erased image: ids only. */
export interface ErasedImageDetails {
  patient: number | null;
  visit: number | null;
  maskVersions: number[];
  keptDrafts: number[];
}

function ids(store: Store, sql: string, id: number): number[] {
  return store.db.prepare(sql).pluck().all(id) as number[];
}

/** An audit row's details, parsed, with the row it came from. */
export interface AuditDetails {
  /** The audit row's own id: rows come in order, so a row at or before another was written before it. */
  row: number;
  entityId: number;
  d: unknown;
}

/** The parsed details of the audit rows matching `where` (rows whose details were cleared are left out). */
export function auditDetails(store: Store, where: string, ...params: (string | number)[]): AuditDetails[] {
  const rows = store.db
    .prepare(`SELECT id, entity_id AS e, details FROM audit_log WHERE details IS NOT NULL AND ${where}`)
    .all(...params) as { id: number; e: number; details: string }[];
  return rows.map((r) => ({ row: r.id, entityId: r.e, d: JSON.parse(r.details) as unknown }));
}

/** A field of parsed details (undefined when absent or not an object). */
export const detailField = (d: unknown, key: string): unknown =>
  d !== null && typeof d === 'object' ? (d as Record<string, unknown>)[key] : undefined;

const numbers = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'number') : []);

export function auditRowsOfImages(store: Store, imageIds: readonly number[]): AnyOf {
  const of = (sql: string) => imageIds.flatMap((id) => ids(store, sql, id));
  // An erased image's versions and kept drafts are gone: its erasure entry names them.
  const erased = imageIds.flatMap((id) =>
    auditDetails(store, "entity = 'image' AND action = 'image.erase' AND entity_id = ?", id),
  );
  return [
    { entity: 'image', ids: [...imageIds] },
    {
      entity: 'mask_version',
      ids: [
        ...of('SELECT id FROM mask_versions WHERE image_id = ?'),
        ...erased.flatMap((e) => numbers(detailField(e.d, 'maskVersions'))),
      ],
    },
    {
      entity: 'kept_draft',
      ids: [
        ...of('SELECT id FROM kept_drafts WHERE image_id = ?'),
        ...erased.flatMap((e) => numbers(detailField(e.d, 'keptDrafts'))),
      ],
    },
  ];
}

/**
 * The patients and every patient merged into them earlier (their records became theirs), each with the last
 * audit row that is theirs: a merged-away patient's id may since have gone to someone else (before ids were kept
 * from reuse), whose later rows are not.
 */
export function withMergedIn(store: Store, patients: readonly number[]): Map<number, number> {
  const all = new Map(patients.map((p) => [p, Number.MAX_SAFE_INTEGER]));
  const merges = auditDetails(store, "entity = 'patient' AND action = 'patient.merge'");
  for (let grew = true; grew;) {
    grew = false;
    for (const m of merges) {
      const into = detailField(m.d, 'into');
      const upTo = typeof into === 'number' ? all.get(into) : undefined;
      if (upTo === undefined || m.row > upTo || all.has(m.entityId)) continue;
      all.set(m.entityId, m.row);
      grew = true;
    }
  }
  return all;
}

/** A patient's trail: their own rows and merged-in records', their visits (dropped ones too), their images (erased ones too). */
export function auditRowsOfPatient(store: Store, patientId: number): AnyOf {
  const patients = new Set(withMergedIn(store, [patientId]).keys());
  const studies = new Set<number>();
  for (const p of patients)
    for (const s of ids(store, 'SELECT id FROM studies WHERE patient_id = ?', p)) studies.add(s);
  for (const s of auditDetails(store, "entity = 'study' AND action = 'study.create'"))
    if (patients.has(detailField(s.d, 'patientId') as number)) studies.add(s.entityId);
  const images = new Set<number>();
  for (const s of studies)
    for (const i of ids(store, 'SELECT id FROM images WHERE study_id = ?', s)) images.add(i);
  for (const e of auditDetails(store, "entity = 'image' AND action = 'image.erase'"))
    if (patients.has(detailField(e.d, 'patient') as number)) images.add(e.entityId);
  return [
    { entity: 'patient', ids: [...patients] },
    { entity: 'study', ids: [...studies] },
    ...auditRowsOfImages(store, [...images]),
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
