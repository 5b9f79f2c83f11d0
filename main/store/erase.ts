// Erasure: a clinic removes an image, a visit or a patient on request (a patient who withdraws consent, a
// photograph of the wrong person). Every row that holds the image's data goes in one audited transaction (its mask
// versions and kept drafts, assignments, hand-offs, leases), then the files no row refers to any more; visits and
// patients left without images go with them, since nothing shows them after. The audit log keeps who did what and
// when about them, without what it was: the details of their entries (file names, names typed, comments) are
// cleared. What erasure cannot reach is said, not hidden: backups, exports, and the models trained on the masks.
import { stat } from 'node:fs/promises';
import { recordAudit } from './audit.js';
import { nowIso, type Store } from './database.js';
import { NotFoundError, StoreError } from './errors.js';
import { blobStore } from './file-store.js';
import { referencedBlobs } from './blobs-referenced.js';

/** What to erase: images by id, visits (studies) by id with all their images, patients by id with all theirs. */
export interface ErasureTarget {
  images?: readonly number[];
  studies?: readonly number[];
  patients?: readonly number[];
}

/** What an erasure takes (shown before it is done) and, after, what it took. */
export interface ErasurePlan {
  images: number[];
  studies: number[];
  patients: { id: number; pseudonym: string }[];
  maskVersions: number;
  keptDrafts: number;
  /** Models trained on these images' masks: they keep what they learned (erasure cannot reach into weights). */
  trainedModels: { id: number; name: string }[];
}

export interface ErasureReport extends ErasurePlan {
  /** Files removed from the store (photographs, masks, maps) that no remaining row needed. */
  filesRemoved: number;
  bytesFreed: number;
}

const uniq = (ids: Iterable<number>): number[] => [...new Set(ids)].sort((a, b) => a - b);

function idsOf(store: Store, sql: string, ids: readonly number[]): number[] {
  const stmt = store.db.prepare(sql).pluck();
  return ids.flatMap((id) => stmt.all(id) as number[]);
}

function requireRows(store: Store, table: string, what: string, ids: readonly number[]): void {
  const stmt = store.db.prepare(`SELECT 1 FROM ${table} WHERE id = ?`);
  const missing = ids.filter((id) => stmt.get(id) === undefined);
  if (missing.length > 0) throw new NotFoundError(`${what} ${missing.join(', ')} does not exist`);
}

/** What `target` covers, without changing anything. Unknown ids are refused, naming them. */
export function planErasure(store: Store, target: ErasureTarget): ErasurePlan {
  const patientIds = uniq(target.patients ?? []);
  const studyIds = uniq(target.studies ?? []);
  const imageIds = uniq(target.images ?? []);
  requireRows(store, 'patients', 'patient', patientIds);
  requireRows(store, 'studies', 'visit', studyIds);
  requireRows(store, 'images', 'image', imageIds);
  if (patientIds.length + studyIds.length + imageIds.length === 0) throw new StoreError('nothing to erase');

  const studies = uniq([
    ...studyIds,
    ...idsOf(store, 'SELECT id FROM studies WHERE patient_id = ?', patientIds),
  ]);
  const images = uniq([...imageIds, ...idsOf(store, 'SELECT id FROM images WHERE study_id = ?', studies)]);
  // Visits and patients the erased images leave empty go too: no screen shows a visit without images.
  const erasing = new Set(images);
  const touchedStudies = uniq([
    ...studies,
    ...idsOf(store, 'SELECT study_id FROM images WHERE id = ? AND study_id IS NOT NULL', images),
  ]);
  const imagesOf = store.db.prepare('SELECT id FROM images WHERE study_id = ?').pluck();
  const emptiedStudies = touchedStudies.filter((s) =>
    (imagesOf.all(s) as number[]).every((i) => erasing.has(i)),
  );
  const goneStudies = new Set(emptiedStudies);
  const touchedPatients = uniq([
    ...patientIds,
    ...idsOf(store, 'SELECT patient_id FROM studies WHERE id = ?', emptiedStudies),
  ]);
  const studiesOf = store.db.prepare('SELECT id FROM studies WHERE patient_id = ?').pluck();
  const patients = touchedPatients
    .filter((p) => (studiesOf.all(p) as number[]).every((s) => goneStudies.has(s)))
    .map((id) => ({
      id,
      pseudonym: store.db.prepare('SELECT pseudonym FROM patients WHERE id = ?').pluck().get(id) as string,
    }));

  const versions = idsOf(store, 'SELECT id FROM mask_versions WHERE image_id = ?', images);
  const keptDrafts = idsOf(store, 'SELECT id FROM kept_drafts WHERE image_id = ?', images).length;
  const modelsOf = store.db.prepare(
    `SELECT DISTINCT m.id, m.name FROM model_training_masks t JOIN models m ON m.id = t.model_id
       JOIN mask_versions v ON v.id = t.mask_version_id WHERE v.image_id = ?`,
  );
  const trained = new Map<number, string>();
  for (const id of images)
    for (const m of modelsOf.all(id) as { id: number; name: string }[]) trained.set(m.id, m.name);
  return {
    images,
    studies: emptiedStudies,
    patients,
    maskVersions: versions.length,
    keptDrafts,
    trainedModels: [...trained].map(([id, name]) => ({ id, name })).sort((a, b) => a.id - b.id),
  };
}

/** Every blob the rows of `images` refer to (candidates for removal once those rows are gone). */
function blobsOf(store: Store, images: readonly number[]): Set<string> {
  const sql = [
    'SELECT file_hash FROM images WHERE id = ?',
    'SELECT raster_hash FROM images WHERE id = ?',
    'SELECT fov_hash FROM images WHERE id = ?',
    ...['png_hash', 'prob_hash', 'uncertainty_hash', 'av_hash', 'artery_prob_hash'].map(
      (c) => `SELECT ${c} FROM mask_versions WHERE image_id = ?`,
    ),
    'SELECT png_hash FROM kept_drafts WHERE image_id = ?',
    'SELECT av_hash FROM kept_drafts WHERE image_id = ?',
  ].map((q) => store.db.prepare(q).pluck());
  const out = new Set<string>();
  for (const id of images)
    for (const stmt of sql) for (const h of stmt.all(id) as (string | null)[]) if (h) out.add(h);
  return out;
}

/** Clears what the audit log said about these rows, keeping who did what and when. */
function redactAuditTx(store: Store, entity: string, ids: readonly number[]): void {
  const stmt = store.db.prepare('UPDATE audit_log SET details = NULL WHERE entity = ? AND entity_id = ?');
  for (const id of ids) stmt.run(entity, id);
}

function eraseRowsTx(store: Store, plan: ErasurePlan, actor: string): void {
  const highestVersion = Number(
    store.db.prepare('SELECT COALESCE(MAX(id), 0) FROM mask_versions').pluck().get() ?? 0,
  );
  const at = nowIso();
  const mark = store.db.prepare(
    'INSERT INTO erased_images (image_id, erased_at, erased_by, mask_versions_up_to) VALUES (?, ?, ?, ?)',
  );
  const versionIds = idsOf(store, 'SELECT id FROM mask_versions WHERE image_id = ?', plan.images);
  const keptIds = idsOf(store, 'SELECT id FROM kept_drafts WHERE image_id = ?', plan.images);
  const byImage = [
    'DELETE FROM image_handoffs WHERE image_id = ?',
    'DELETE FROM image_assignments WHERE image_id = ?',
    'DELETE FROM edit_leases WHERE image_id = ?',
    'DELETE FROM kept_drafts WHERE image_id = ?',
    `DELETE FROM model_training_masks WHERE mask_version_id IN (SELECT id FROM mask_versions WHERE image_id = ?)`,
    'DELETE FROM mask_versions WHERE image_id = ?',
    'DELETE FROM images WHERE id = ?',
  ].map((q) => store.db.prepare(q));
  const trainedModels = plan.trainedModels.map((m) => m.id);
  for (const id of plan.images) {
    mark.run(id, at, actor, highestVersion);
    for (const stmt of byImage) stmt.run(id);
  }
  redactAuditTx(store, 'image', plan.images);
  redactAuditTx(store, 'mask_version', versionIds);
  redactAuditTx(store, 'kept_draft', keptIds);
  for (const id of plan.images) recordAudit(store, actor, 'image.erase', 'image', id, { trainedModels });

  const deleteStudy = store.db.prepare('DELETE FROM studies WHERE id = ?');
  for (const id of plan.studies) deleteStudy.run(id);
  redactAuditTx(store, 'study', plan.studies);
  for (const id of plan.studies) recordAudit(store, actor, 'study.erase', 'study', id);

  const deletePatient = store.db.prepare('DELETE FROM patients WHERE id = ?');
  const patientIds = plan.patients.map((p) => p.id);
  for (const id of patientIds) deletePatient.run(id);
  redactAuditTx(store, 'patient', patientIds);
  for (const id of patientIds) recordAudit(store, actor, 'patient.erase', 'patient', id);
}

/**
 * Erases what `target` covers (see planErasure) and then the files no remaining row refers to. The database pages
 * that held the rows are overwritten, not only freed, where the backend can (SQLite's secure_delete).
 */
export async function eraseRecords(
  store: Store,
  target: ErasureTarget,
  actor: string,
): Promise<ErasureReport> {
  let candidates = new Set<string>();
  const plan = store.backend.scrubbing(() =>
    store.write('erase', () => {
      const p = planErasure(store, target);
      candidates = blobsOf(store, p.images);
      eraseRowsTx(store, p, actor);
      return p;
    }),
  );
  // A blob is shared by content (the same empty mask on two images): only those nothing refers to now go. The
  // rows are committed first, so a crash here leaves at worst an orphan file, which `db check` ignores.
  const stillUsed = new Set(referencedBlobs(store.db));
  const blobs = blobStore(store);
  let filesRemoved = 0;
  let bytesFreed = 0;
  for (const hash of candidates) {
    if (stillUsed.has(hash)) continue;
    bytesFreed += await stat(blobs.path(hash)).then(
      (st) => st.size,
      () => 0,
    );
    await blobs.delete(hash);
    filesRemoved++;
  }
  return { ...plan, filesRemoved, bytesFreed };
}
