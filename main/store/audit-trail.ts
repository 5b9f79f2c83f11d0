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

function detailsOf(
  store: Store,
  where: string,
  ...params: (string | number)[]
): { id: number; d: unknown }[] {
  const rows = store.db
    .prepare(`SELECT entity_id AS id, details FROM audit_log WHERE details IS NOT NULL AND ${where}`)
    .all(...params) as { id: number; details: string }[];
  return rows.map((r) => ({ id: r.id, d: JSON.parse(r.details) as unknown }));
}

const field = (d: unknown, key: string): unknown =>
  d !== null && typeof d === 'object' ? (d as Record<string, unknown>)[key] : undefined;

const numbers = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'number') : []);

export function auditRowsOfImages(store: Store, imageIds: readonly number[]): AnyOf {
  const of = (sql: string) => imageIds.flatMap((id) => ids(store, sql, id));
  // An erased image's versions and kept drafts are gone: its erasure entry names them.
  const erased = imageIds.flatMap((id) =>
    detailsOf(store, "entity = 'image' AND action = 'image.erase' AND entity_id = ?", id),
  );
  return [
    { entity: 'image', ids: [...imageIds] },
    {
      entity: 'mask_version',
      ids: [
        ...of('SELECT id FROM mask_versions WHERE image_id = ?'),
        ...erased.flatMap((e) => numbers(field(e.d, 'maskVersions'))),
      ],
    },
    {
      entity: 'kept_draft',
      ids: [
        ...of('SELECT id FROM kept_drafts WHERE image_id = ?'),
        ...erased.flatMap((e) => numbers(field(e.d, 'keptDrafts'))),
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
  const merges = store.db
    .prepare(
      "SELECT id AS row, entity_id AS id, details FROM audit_log WHERE entity = 'patient' AND action = 'patient.merge' AND details IS NOT NULL",
    )
    .all() as { row: number; id: number; details: string }[];
  for (let grew = true; grew;) {
    grew = false;
    for (const m of merges) {
      const into = field(JSON.parse(m.details) as unknown, 'into');
      const upTo = typeof into === 'number' ? all.get(into) : undefined;
      if (upTo === undefined || m.row > upTo || all.has(m.id)) continue;
      all.set(m.id, m.row);
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
  for (const s of detailsOf(store, "entity = 'study' AND action = 'study.create'"))
    if (patients.has(field(s.d, 'patientId') as number)) studies.add(s.id);
  const images = new Set<number>();
  for (const s of studies)
    for (const i of ids(store, 'SELECT id FROM images WHERE study_id = ?', s)) images.add(i);
  for (const e of detailsOf(store, "entity = 'image' AND action = 'image.erase'"))
    if (patients.has(field(e.d, 'patient') as number)) images.add(e.id);
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
