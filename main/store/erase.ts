// Erasure: a clinic removes an image, a visit or a patient on request (a patient who withdraws consent, a
// photograph of the wrong person). Every row that holds the image's data goes in one audited transaction (its mask
// versions and kept drafts, assignments, hand-offs, leases), then the files no row refers to any more; visits and
// patients left without images go with them, since nothing shows them after. The audit log keeps who did what and
// when about them, without what it was: the details of their entries (file names, names typed, comments) are
// cleared. What erasure cannot reach is said, not hidden: backups, exports, and the models trained on the masks.
import { readdir, rm } from 'node:fs/promises';
import { plural } from '../../shared/plural.js';
import { recordAudit } from './audit.js';
import { brokenAuditRows, resealAuditChain } from './audit-chain.js';
import { nowIso, type Store } from './database.js';
import { ConstraintError, NotFoundError, StoreError } from './errors.js';
import { redactTracesTx, type Traces } from './erase-traces.js';
import {
  auditDetails,
  detailField,
  withMergedIn,
  type AuditDetails,
  type ErasedImageDetails,
} from './audit-trail.js';
import { blobStore } from './file-store.js';
import { blobsInUse, referencedBlobs } from './blobs-referenced.js';
import { overlayPath } from './run-files.js';

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
  /** Where the erased data still lingers for a while, in words (another program's open snapshot); else null. */
  residue: string | null;
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

/** The audit rows of these patients (up to each one's last row) and of the visits their audit names. */
function patientAuditRows(store: Store, patients: ReadonlyMap<number, number>): AuditDetails[] {
  const own = auditDetails(store, "entity = 'patient'").filter(
    (a) => a.row <= (patients.get(a.entityId) ?? -1),
  );
  const visits = auditDetails(store, "entity = 'study'").filter((a) => {
    const p = detailField(a.d, 'patientId');
    return typeof p === 'number' && a.row <= (patients.get(p) ?? -1);
  });
  return [...own, ...visits];
}

/** What names the erased images and patients wherever other rows may repeat it (see erase-traces.ts). */
function tracesOf(
  store: Store,
  images: readonly number[],
  erasedPatients: readonly number[],
  patientRows: readonly AuditDetails[],
): Traces {
  const paths: string[] = [];
  const fileNames: string[] = [];
  const image = store.db.prepare('SELECT file_name, source_path FROM images WHERE id = ?');
  for (const id of images) {
    const r = image.get(id) as { file_name: string; source_path: string | null };
    fileNames.push(r.file_name);
    if (r.source_path) paths.push(r.source_path);
  }
  const patientWords: string[] = [];
  const patient = store.db.prepare('SELECT pseudonym, name FROM patients WHERE id = ?');
  for (const id of erasedPatients) {
    const r = patient.get(id) as { pseudonym: string; name: string | null };
    patientWords.push(r.pseudonym, ...(r.name ? [r.name] : []));
  }
  // The IDs they had before a rename, and those of records merged into them.
  for (const a of patientRows)
    for (const key of ['pseudonym', 'from', 'to']) {
      const v = detailField(a.d, key);
      if (typeof v === 'string') patientWords.push(v);
    }
  return { patientWords, paths, fileNames, imageIds: new Set(images) };
}

/** An image's patient, visit, mask versions and kept drafts, by id, as its erasure records them. */
function erasedImageDetails(store: Store, id: number): ErasedImageDetails {
  const where = store.db
    .prepare(
      'SELECT s.id AS visit, s.patient_id AS patient FROM images i LEFT JOIN studies s ON s.id = i.study_id WHERE i.id = ?',
    )
    .get(id) as { visit: number | null; patient: number | null };
  return {
    patient: where.patient,
    visit: where.visit,
    maskVersions: idsOf(store, 'SELECT id FROM mask_versions WHERE image_id = ? ORDER BY id', [id]),
    keptDrafts: idsOf(store, 'SELECT id FROM kept_drafts WHERE image_id = ? ORDER BY id', [id]),
  };
}

function eraseRowsTx(store: Store, plan: ErasurePlan, actor: string): void {
  // The erasure rewrites audit rows' details, so the chain is sealed again after it; rows that did not verify
  // before stay as they are (a legitimate rewrite must not hide a forgery). On PostgreSQL, nobody outside the
  // app's write lock (psql) may change the log between this look and the reseal.
  if (store.kind === 'postgres') store.db.prepare('LOCK TABLE audit_log IN EXCLUSIVE MODE').run();
  const brokenBefore = brokenAuditRows(store.db);
  const erasedDetails = new Map(plan.images.map((id) => [id, erasedImageDetails(store, id)]));
  const highestVersion = Number(
    store.db.prepare('SELECT COALESCE(MAX(id), 0) FROM mask_versions').pluck().get() ?? 0,
  );
  const erasedPatients = plan.patients.map((p) => p.id);
  const patientRows = patientAuditRows(store, withMergedIn(store, erasedPatients));
  const traces = tracesOf(store, plan.images, erasedPatients, patientRows);
  const at = nowIso();
  const mark = store.db.prepare(
    'INSERT INTO erased_images (image_id, erased_at, erased_by, mask_versions_up_to) VALUES (?, ?, ?, ?)',
  );
  const versionIds = idsOf(store, 'SELECT id FROM mask_versions WHERE image_id = ?', plan.images);
  const keptIds = idsOf(store, 'SELECT id FROM kept_drafts WHERE image_id = ?', plan.images);
  const byImage = [
    'DELETE FROM image_handoffs WHERE image_id = ?',
    'DELETE FROM reader_send_backs WHERE image_id = ?',
    'DELETE FROM image_assignments WHERE image_id = ?',
    'DELETE FROM edit_leases WHERE image_id = ?',
    'DELETE FROM kept_drafts WHERE image_id = ?',
    `DELETE FROM model_training_masks WHERE mask_version_id IN (SELECT id FROM mask_versions WHERE image_id = ?)`,
    `DELETE FROM compacted_versions WHERE mask_version_id IN (SELECT id FROM mask_versions WHERE image_id = ?)`,
    'DELETE FROM mask_versions WHERE image_id = ?',
    'DELETE FROM images WHERE id = ?',
  ].map((q) => store.db.prepare(q));
  for (const id of plan.images) {
    mark.run(id, at, actor, highestVersion);
    for (const stmt of byImage) stmt.run(id);
  }
  const deleteStudy = store.db.prepare('DELETE FROM studies WHERE id = ?');
  for (const id of plan.studies) deleteStudy.run(id);
  const deletePatient = store.db.prepare('DELETE FROM patients WHERE id = ?');
  for (const p of plan.patients) deletePatient.run(p.id);

  redactAuditTx(store, 'image', plan.images);
  redactAuditTx(store, 'mask_version', versionIds);
  redactAuditTx(store, 'kept_draft', keptIds);
  redactAuditTx(store, 'study', plan.studies);
  redactAuditTx(store, 'patient', erasedPatients);
  const clear = store.db.prepare('UPDATE audit_log SET details = NULL WHERE id = ?');
  for (const a of patientRows) clear.run(a.row);
  redactTracesTx(store, traces);
  const resealed = resealAuditChain(store.db, brokenBefore);
  if (resealed.length > 0)
    recordAudit(store, actor, 'audit.reseal', 'audit_log', resealed[0], {
      reason: 'erase',
      rows: resealed.length,
      lastRow: resealed[resealed.length - 1],
    });

  // Ids only (nothing they held): which patient, visit, versions and models the erased image had, so that its
  // trail and its patient's can still be read (`retina db audit`).
  const trainedModels = plan.trainedModels.map((m) => m.id);
  for (const id of plan.images)
    recordAudit(store, actor, 'image.erase', 'image', id, { ...erasedDetails.get(id), trainedModels });
  for (const id of plan.studies) recordAudit(store, actor, 'study.erase', 'study', id);
  for (const p of plan.patients) recordAudit(store, actor, 'patient.erase', 'patient', p.id);
}

/** Internal (inside the erasure's write): the files only the erased rows used, noted for removal. */
function noteFilesTx(store: Store, candidates: ReadonlySet<string>): void {
  const stillUsed = new Set(referencedBlobs(store.db, true));
  const note = store.db.prepare('INSERT INTO erased_files (hash) VALUES (?) ON CONFLICT DO NOTHING');
  for (const hash of candidates) if (!stillUsed.has(hash)) note.run(hash);
}

/**
 * Removes the files erasures noted (this one's, or one cut short by a crash between its commit and its file
 * removal), except any a row uses again (the same photograph imported since), and, for `overlaysOf`, the retrain
 * overlays drawn on those erased photographs ('all': every erased image's). Safe to run again.
 */
export async function removeErasedFiles(
  store: Store,
  overlaysOf: readonly number[] | 'all' = [],
): Promise<{ files: number; bytes: number }> {
  const blobs = blobStore(store);
  let bytes = 0;
  // Nothing noted (every start but one after a cut-short erasure): no write at all.
  const noted = store.db.prepare('SELECT 1 FROM erased_files LIMIT 1').get() !== undefined;
  // Checked and removed inside one write, so a row committed by then keeps its file (an import caught between
  // storing its file and writing its row finds it gone in its write and stores it again: import.ts commit).
  const removed = !noted
    ? 0
    : store.write('finish an erasure', () => {
        const noted = store.db.prepare('SELECT hash FROM erased_files').pluck().all() as string[];
        if (noted.length === 0) return 0;
        const used = blobsInUse(store);
        const done = store.db.prepare('DELETE FROM erased_files WHERE hash = ?');
        let files = 0;
        for (const hash of noted) {
          // A file already gone (a compacted draft's, or removed before a cut-short erasure) is not counted.
          if (!used.has(hash) && blobs.has(hash)) {
            bytes += blobs.deleteNow(hash);
            files++;
          }
          done.run(hash);
        }
        return files;
      });
  const erased =
    overlaysOf === 'all'
      ? (store.db.prepare('SELECT image_id FROM erased_images').pluck().all() as number[])
      : overlaysOf;
  await removeOverlays(store, erased);
  return { files: removed, bytes };
}

/** Retrain runs keep difference overlays drawn on held-out photographs: an erased image's go. */
async function removeOverlays(store: Store, imageIds: readonly number[]): Promise<void> {
  if (imageIds.length === 0) return;
  const runs = await readdir(store.beside('runs')).catch(() => [] as string[]);
  for (const run of runs.filter((r) => /^\d+$/.test(r)))
    for (const id of imageIds) await rm(overlayPath(store, Number(run), id), { force: true });
}

export interface EraseOptions {
  /** The image ids the user was shown: refused if the target now covers others (added since the preview). */
  expectImages?: readonly number[];
}

/**
 * Erases what `target` covers (see planErasure), then the files no remaining row refers to, then compacts the
 * database so that the erased rows are not left in its free pages or journal (SQLite: secure_delete, VACUUM, WAL
 * truncated); what could not be scrubbed is said in `residue`.
 */
export async function eraseRecords(
  store: Store,
  target: ErasureTarget,
  actor: string,
  opts: EraseOptions = {},
): Promise<ErasureReport> {
  const plan = store.backend.scrubbing(() =>
    store.write('erase', () => {
      const p = planErasure(store, target);
      if (opts.expectImages && !sameIds(p.images, opts.expectImages))
        throw new ConstraintError(
          `the images to erase changed since they were shown (now ${plural(p.images.length, 'image')}: ` +
            `${p.images.join(', ')}); look at what would go again`,
        );
      const candidates = blobsOf(store, p.images);
      eraseRowsTx(store, p, actor);
      noteFilesTx(store, candidates);
      return p;
    }),
  );
  const removed = await removeErasedFiles(store, plan.images);
  const residue = store.backend.compactAfterErasure();
  return { ...plan, filesRemoved: removed.files, bytesFreed: removed.bytes, residue };
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  const sb = [...new Set(b)].sort((x, y) => x - y);
  return a.length === sb.length && a.every((v, i) => v === sb[i]);
}

/** Whether `imageId` named an image that was erased (its audit entries say who erased it, when). */
export function wasErased(store: Store, imageId: number): boolean {
  return store.db.prepare('SELECT 1 FROM erased_images WHERE image_id = ?').get(imageId) !== undefined;
}
