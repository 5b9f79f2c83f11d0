// New rows' ids continue above every id ever used: SQLite would otherwise give a deleted highest id to the next row,
// and the audit log's history of "image 57" (or "patient 2", merged away, then reused) would run on into another
// patient's. Images and mask versions erased are remembered in erased_images (schema v12); patients, visits and
// kept drafts deleted (emptied by a clinical change, merged, erased) in the audit log, which names each one
// created. Explicit ids on both backends; writes are serialised, so two inserts never race for one.

export const NEXT_IMAGE_ID = `(SELECT COALESCE(MAX(n), 0) + 1 FROM
  (SELECT MAX(id) AS n FROM images UNION ALL SELECT MAX(image_id) FROM erased_images) AS ids)`;

export const NEXT_MASK_VERSION_ID = `(SELECT COALESCE(MAX(n), 0) + 1 FROM
  (SELECT MAX(id) AS n FROM mask_versions UNION ALL SELECT MAX(mask_versions_up_to) FROM erased_images) AS ids)`;

const AUDITED_ID = (table: string, entity: string) => `(SELECT COALESCE(MAX(n), 0) + 1 FROM
  (SELECT MAX(id) AS n FROM ${table} UNION ALL SELECT MAX(entity_id) FROM audit_log WHERE entity = '${entity}') AS ids)`;

export const NEXT_PATIENT_ID = AUDITED_ID('patients', 'patient');
export const NEXT_STUDY_ID = AUDITED_ID('studies', 'study');
export const NEXT_KEPT_DRAFT_ID = AUDITED_ID('kept_drafts', 'kept_draft');
