// Image rows: the original file (by hash) plus what the engine needs to know about it. Images are never modified.
import { nowIso, type Store } from './database.js';
import { recordAudit } from './audit.js';
import { NotFoundError, StoreError } from './errors.js';
import { fromJson, toJson } from './json.js';
import { latestIdSql, reviewStatus, reviewStatusFilterSql, type MaskStatus } from './review.js';
import { ASSIGNED_TO_SQL } from './assignments.js';
import { AWAITING_REVIEW_SQL } from './handoffs.js';
import { NEXT_IMAGE_ID } from './erased-ids.js';

export type { MaskStatus } from './review.js';
export type Laterality = 'OD' | 'OS';

export interface ImageRecord {
  id: number;
  studyId: number | null;
  fileHash: string;
  fileName: string;
  sourcePath: string | null;
  format: string;
  byteSize: number;
  /** PNG of the pixels when the original is not an engine-readable image (DICOM); else null. */
  rasterHash: string | null;
  width: number;
  height: number;
  channels: number;
  laterality: Laterality | null;
  /** [row, column] spacing in millimetres, when the source states it. */
  pixelSpacingMm: [number, number] | null;
  fovHash: string | null;
  fovDerived: boolean;
  acquisition: Record<string, unknown> | null;
  dataset: string | null;
  datasetSampleId: string | null;
  datasetSplit: 'train' | 'test' | null;
  importedAt: string;
}

export interface ImageListItem extends ImageRecord {
  patientPseudonym: string | null;
  studyDate: string | null;
  latestPredictionId: number | null;
  latestDraftId: number | null;
  latestApprovedId: number | null;
  /** The review status (see review.ts): the newer of the latest draft and approval, else prediction, else none. */
  maskStatus: MaskStatus;
  /** Approved once, edited or reopened since: a draft until re-approved. */
  reopened: boolean;
}

export interface NewImage {
  studyId?: number | null;
  fileHash: string;
  fileName: string;
  sourcePath?: string | null;
  format: string;
  byteSize: number;
  rasterHash?: string | null;
  width: number;
  height: number;
  channels: number;
  laterality?: Laterality | null;
  pixelSpacingMm?: [number, number] | null;
  fovHash?: string | null;
  fovDerived?: boolean;
  acquisition?: Record<string, unknown> | null;
  dataset?: string | null;
  datasetSampleId?: string | null;
  datasetSplit?: 'train' | 'test' | null;
  /** The camera's field of view in degrees, when the source states it. */
  fieldAngleDeg?: number | null;
}

interface ImageRow {
  id: number;
  study_id: number | null;
  file_hash: string;
  file_name: string;
  source_path: string | null;
  format: string;
  byte_size: number;
  raster_hash: string | null;
  width: number;
  height: number;
  channels: number;
  laterality: Laterality | null;
  pixel_spacing_row_mm: number | null;
  pixel_spacing_col_mm: number | null;
  fov_hash: string | null;
  fov_derived: number;
  acquisition: string | null;
  dataset: string | null;
  dataset_sample_id: string | null;
  dataset_split: 'train' | 'test' | null;
  imported_at: string;
}

interface ListRow extends ImageRow {
  pseudonym: string | null;
  study_date: string | null;
  pred_id: number | null;
  draft_id: number | null;
  approved_id: number | null;
}

function toImage(r: ImageRow): ImageRecord {
  return {
    id: r.id,
    studyId: r.study_id,
    fileHash: r.file_hash,
    fileName: r.file_name,
    sourcePath: r.source_path,
    format: r.format,
    byteSize: r.byte_size,
    rasterHash: r.raster_hash,
    width: r.width,
    height: r.height,
    channels: r.channels,
    laterality: r.laterality,
    pixelSpacingMm:
      r.pixel_spacing_row_mm !== null && r.pixel_spacing_col_mm !== null
        ? [r.pixel_spacing_row_mm, r.pixel_spacing_col_mm]
        : null,
    fovHash: r.fov_hash,
    fovDerived: r.fov_derived === 1,
    acquisition: fromJson<Record<string, unknown>>(r.acquisition),
    dataset: r.dataset,
    datasetSampleId: r.dataset_sample_id,
    datasetSplit: r.dataset_split,
    importedAt: r.imported_at,
  };
}

export function getImage(store: Store, id: number): ImageRecord {
  const row = store.db.prepare('SELECT * FROM images WHERE id = ?').get(id) as ImageRow | undefined;
  if (!row) throw new NotFoundError(`image ${id} does not exist`);
  return toImage(row);
}

export function findImageByHash(store: Store, fileHash: string): ImageRecord | null {
  const row = store.db.prepare('SELECT * FROM images WHERE file_hash = ?').get(fileHash) as
    ImageRow | undefined;
  return row ? toImage(row) : null;
}

/** Internal (inside a write). */
export function insertImageTx(store: Store, img: NewImage, actor: string): ImageRecord {
  const inserted = store.db
    .prepare(
      `INSERT INTO images (id, study_id, file_hash, file_name, source_path, format, byte_size, raster_hash, width,
         height, channels, laterality, pixel_spacing_row_mm, pixel_spacing_col_mm, fov_hash, fov_derived,
         acquisition, dataset, dataset_sample_id, dataset_split, field_angle_deg, imported_at)
       VALUES (${NEXT_IMAGE_ID}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .pluck()
    .get(
      img.studyId ?? null,
      img.fileHash,
      img.fileName,
      img.sourcePath ?? null,
      img.format,
      img.byteSize,
      img.rasterHash ?? null,
      img.width,
      img.height,
      img.channels,
      img.laterality ?? null,
      img.pixelSpacingMm?.[0] ?? null,
      img.pixelSpacingMm?.[1] ?? null,
      img.fovHash ?? null,
      img.fovDerived ? 1 : 0,
      toJson(img.acquisition),
      img.dataset ?? null,
      img.datasetSampleId ?? null,
      img.datasetSplit ?? null,
      img.fieldAngleDeg ?? null,
      nowIso(),
    );
  const id = Number(inserted);
  recordAudit(store, actor, 'image.import', 'image', id, { fileName: img.fileName, fileHash: img.fileHash });
  return getImage(store, id);
}

export interface ListImagesQuery {
  /** Page size, 1..1000 (default 50). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
  patientId?: number;
  studyId?: number;
  dataset?: string;
  split?: 'train' | 'test';
  /** Only images with this review status (review.ts; 'none': no mask at all). */
  maskStatus?: MaskStatus;
  /** Substring of the file name, the patient's pseudonym or the patient's name. */
  search?: string;
  /** Only images assigned to this user (an annotator's worklist). */
  assignedTo?: number;
  /** Only images of visits on or after / on or before this day (YYYY-MM-DD); undated images are left out. */
  visitFrom?: string;
  visitTo?: string;
  /** Only images with an open hand-off awaiting review (submitted, not sent back, no approval since). */
  awaitingReview?: boolean;
}

export interface ImagePage {
  items: ImageListItem[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
  /** Number of images matching the filter (all pages). */
  total: number;
}

/** Keyset-paginated listing in import order: cost per page does not grow with the table. */
export function listImages(store: Store, q: ListImagesQuery = {}): ImagePage {
  const limit = q.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new StoreError(`page size ${limit} not in 1..1000`);
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (q.patientId !== undefined) {
    where.push('s.patient_id = ?');
    params.push(q.patientId);
  }
  if (q.studyId !== undefined) {
    where.push('i.study_id = ?');
    params.push(q.studyId);
  }
  if (q.dataset !== undefined) {
    where.push('i.dataset = ?');
    params.push(q.dataset);
  }
  if (q.split !== undefined) {
    where.push('i.dataset_split = ?');
    params.push(q.split);
  }
  if (q.search) {
    // Folded on both sides by the database (searchFoldSql): names are stored as imported (a macOS name decomposed,
    // DICOM names in capitals), and SQLite's own LOWER and LIKE fold ASCII alone. The query is NFC already: a
    // PostgreSQL database in another encoding than UTF8 cannot normalise it, nor take a decomposed accent.
    const text = q.search.normalize('NFC');
    // A letter the database cannot hold is in none of its names (and cannot even be sent to it).
    if (!store.backend.holdsText(text)) where.push('FALSE');
    else {
      const like = `%${text.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      const fold = (sql: string) => store.backend.searchFoldSql(sql);
      const match = (column: string) => `${fold(column)} LIKE ${fold('?')} ESCAPE '\\'`;
      where.push(`(${match('i.file_name')} OR ${match('p.pseudonym')} OR ${match('p.name')})`);
      params.push(like, like, like);
    }
  }
  if (q.maskStatus !== undefined) where.push(reviewStatusFilterSql(q.maskStatus, 'i.id'));
  if (q.assignedTo !== undefined) {
    where.push(ASSIGNED_TO_SQL);
    params.push(q.assignedTo);
  }
  // Visit dates are stored as YYYY-MM-DD text, so text order is date order on both backends.
  if (q.visitFrom !== undefined) {
    where.push('s.study_date >= ?');
    params.push(q.visitFrom);
  }
  if (q.visitTo !== undefined) {
    where.push('s.study_date <= ?');
    params.push(q.visitTo);
  }
  if (q.awaitingReview) where.push(AWAITING_REVIEW_SQL);
  const filter = where.length ? where.join(' AND ') : 'TRUE';
  const from =
    'FROM images i LEFT JOIN studies s ON s.id = i.study_id LEFT JOIN patients p ON p.id = s.patient_id';
  const total = (
    store.db.prepare(`SELECT COUNT(*) AS n ${from} WHERE ${filter}`).get(...params) as { n: number }
  ).n;
  const after = q.cursor ? Number(q.cursor) : 0;
  if (!Number.isInteger(after) || after < 0) throw new StoreError(`invalid page cursor '${q.cursor}'`);
  const rows = store.db
    .prepare(
      `SELECT i.*, p.pseudonym, s.study_date, ${latestIdSql('prediction', 'i.id')} AS pred_id,
         ${latestIdSql('draft', 'i.id')} AS draft_id, ${latestIdSql('approved', 'i.id')} AS approved_id
       ${from} WHERE ${filter} AND i.id > ? ORDER BY i.id LIMIT ?`,
    )
    .all(...params, after, limit + 1) as ListRow[];
  const more = rows.length > limit;
  const items = rows.slice(0, limit).map((r): ImageListItem => {
    const review = reviewStatus({ prediction: r.pred_id, draft: r.draft_id, approved: r.approved_id });
    return {
      ...toImage(r),
      patientPseudonym: r.pseudonym,
      studyDate: r.study_date,
      latestPredictionId: r.pred_id,
      latestDraftId: r.draft_id,
      latestApprovedId: r.approved_id,
      maskStatus: review.status,
      reopened: review.reopened,
    };
  });
  return { items, nextCursor: more ? String(items[items.length - 1].id) : null, total };
}

/** Every image id, in import order (exports and checks walk them). */
export function allImageIds(store: Store): number[] {
  return (store.db.prepare('SELECT id FROM images ORDER BY id').pluck().all() as number[]).slice();
}

export function countImages(store: Store): number {
  return store.db.prepare('SELECT COUNT(*) FROM images').pluck().get() as number;
}

/** Sets or clears laterality, an image's only editable clinical field (the pixels never change). */
export function setImageLaterality(
  store: Store,
  id: number,
  laterality: Laterality | null,
  actor: string,
): void {
  store.write('set laterality', () => {
    const before = getImage(store, id).laterality;
    store.db.prepare('UPDATE images SET laterality = ? WHERE id = ?').run(laterality, id);
    recordAudit(store, actor, 'image.laterality', 'image', id, { before, after: laterality });
  });
}
