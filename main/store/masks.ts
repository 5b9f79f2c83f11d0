// Mask versions: immutable rows (the schema's triggers refuse UPDATE and DELETE) pointing at 0/255 PNG blobs.
// "draft" and "approved" are kinds of version, not flags: approving a draft adds a version.
import { decodePng, encodeGreyPng, encodePngBuffer } from '../ml/io/png-codec.js';
import type { BinaryMap } from '../ml/types.js';
import { nowIso, type Store } from './database.js';
import { recordAudit } from './audit.js';
import { ConstraintError, MaskSizeError, NotFoundError, StoreError } from './errors.js';
import { hasBlob, putBlob, readBlob } from './file-store.js';
import { refuseIfCompacted } from './compacted.js';
import { decodeGreyBlob, loadBinaryBlob } from './image-data.js';
import { getImage } from './images.js';
import {
  anatomyOf,
  anatomyProblem,
  discMoved,
  checkAvLabels,
  encodeAvPng,
  fillLateralityTx,
  type AnatomyInput,
  type VersionAnatomy,
} from './anatomy.js';
import { reviewOf } from './review.js';
import { NEXT_MASK_VERSION_ID } from './erased-ids.js';
import { getLease } from './edit-leases.js';
import { assigneesOf, readBySeveral } from './assignments.js';
import { EditRefusedError, keepDraftTx, keptOfSave, type KeptDraft } from './kept-drafts.js';
import { refusalMessage, saveRefusal, type SaveRefusal } from '../../shared/edit-lease.js';
import type { QualityEvidence } from '../../shared/measure/gradability.js';

export type MaskKind = 'prediction' | 'draft' | 'approved';
export const MASK_KINDS: readonly MaskKind[] = ['prediction', 'draft', 'approved'];

export interface MaskVersion {
  id: number;
  imageId: number;
  kind: MaskKind;
  author: string;
  createdAt: string;
  parentId: number | null;
  modelId: number | null;
  /** Blob address of the 8-bit single-channel 0/255 PNG. */
  pngHash: string;
  width: number;
  height: number;
  note: string | null;
  /** Predictions: blob of the 8-bit probability map (round(255 p)), when saved. */
  probHash: string | null;
  threshold: number | null;
  /** Predictions: blob of the 16-bit uncertainty map, when the model estimated one. */
  uncertaintyHash: string | null;
  quality: PredictionQuality | null;
  /**
   * Predictions: the photograph's gradability evidence, read off its pixels and this segmentation when predicted
   * (kept in the quality JSON's "photograph" key); null for older predictions and every person's version.
   */
  photograph: QualityEvidence | null;
  /** Blob of the artery/vein label map (8-bit PNG: 0 background, 1 artery, 2 vein), when the version has one. */
  avHash: string | null;
  /** Optic disc, fovea and laterality, when the version has them. */
  anatomy: VersionAnatomy | null;
  /** Predictions: blob of the classifier's artery probability (8-bit, round(255 p)), when saved. */
  arteryProbHash: string | null;
}

/** A prediction's quality scores (the engine's estimate of how good its mask is). */
export interface PredictionQuality {
  expectedF1: number;
  meanUncertainty: number;
  fragments: number;
  /** Likely gaps, in the image's pixels: a vessel end and the piece it seems to continue into. */
  gaps: { from: { x: number; y: number }; to: { x: number; y: number } }[];
}

export interface SaveMaskInput {
  imageId: number;
  kind: MaskKind;
  author: string;
  /** Vessel pixels are the non-zero ones (0/1 and 0/255 are both accepted). */
  mask: BinaryMap;
  parentId?: number | null;
  /** Required for predictions. */
  modelId?: number | null;
  note?: string | null;
  /** Predictions: per-pixel probability in [0,1] (Float32Array) or 0..255 (Uint8Array), at the image's size. */
  probability?: Float32Array | Uint8Array | null;
  threshold?: number | null;
  /** Predictions: the probability that the mask is wrong per pixel, at the image's size, and the image's scores. */
  uncertainty?: { map: Float32Array; quality: PredictionQuality } | null;
  /** Predictions: the photograph's gradability evidence (photographQuality), judged when measured. */
  photograph?: QualityEvidence | null;
  /**
   * Drafts and approvals from an editor: refuse (ConstraintError) while the image is approved, so an approval
   * changes only after an explicit reopen (reopenApprovedMask).
   */
  refuseIfApproved?: boolean;
  /**
   * Artery/vein labels (0 background, 1 artery, 2 vein) at the image's size, non-zero exactly where `mask` is.
   * Absent: the version has no artery/vein map.
   */
  av?: Uint8Array | null;
  /** Disc, fovea and laterality; who moved the disc is worked out from the parent's record. */
  anatomy?: AnatomyInput | null;
  /** Predictions: the classifier's probability of artery per pixel in [0,1], at the image's size. */
  arteryProbability?: Float32Array | null;
  /**
   * A save from an editor (drafts and approvals from the viewer): refused when another window holds the image's
   * live lease, or when the image's newest draft or approval is not `parentId` (someone saved after the edit
   * started). A refused edit is kept as a draft of its own (kept_drafts) and EditRefusedError names it.
   */
  editor?: {
    clientId: string | null;
    nowMs: number;
    /** Team mode: why the image is not the saver's in its review hand-off (null: it is); asked inside the write. */
    handedOff?: () => string | null;
    /**
     * The saveIds of the window's earlier saves of this edit that it heard no answer to: drafts they made on
     * `parentId`, one on the other, are the window's own, and the save builds on the newest of them.
     */
    unansweredSaveIds?: readonly string[];
  };
  /**
   * An editor's save's id, chosen by its window: the same save sent again (its answer lost) gets the version made
   * the first time instead of a second one.
   */
  saveId?: string | null;
  /**
   * The job making this version: a job saves one version per image, so a retried job (its worker killed after a
   * save) gets the version saved before instead of a second one.
   */
  jobId?: string | null;
}

interface MaskRow {
  id: number;
  image_id: number;
  kind: MaskKind;
  author: string;
  created_at: string;
  parent_id: number | null;
  model_id: number | null;
  png_hash: string;
  width: number;
  height: number;
  note: string | null;
  prob_hash: string | null;
  threshold: number | null;
  uncertainty_hash: string | null;
  quality: string | null;
  av_hash: string | null;
  anatomy: string | null;
  artery_prob_hash: string | null;
}

/** The quality column: the uncertainty head's scores and the photograph's evidence, either of them or both. */
function qualityJson(q: PredictionQuality | null, photograph: QualityEvidence | null): string | null {
  if (!q && !photograph) return null;
  return JSON.stringify({ ...q, ...(photograph ? { photograph } : {}) });
}

function parseQuality(text: string | null): Pick<MaskVersion, 'quality' | 'photograph'> {
  if (text === null) return { quality: null, photograph: null };
  const { photograph, ...rest } = JSON.parse(text) as Partial<PredictionQuality> & {
    photograph?: QualityEvidence;
  };
  // A model without an uncertainty head has no scores: the column then holds only the photograph's evidence.
  const quality = rest.expectedF1 === undefined ? null : (rest as PredictionQuality);
  return { quality, photograph: photograph ?? null };
}

const toMask = (r: MaskRow): MaskVersion => ({
  id: r.id,
  imageId: r.image_id,
  kind: r.kind,
  author: r.author,
  createdAt: r.created_at,
  parentId: r.parent_id,
  modelId: r.model_id,
  pngHash: r.png_hash,
  width: r.width,
  height: r.height,
  note: r.note,
  probHash: r.prob_hash,
  threshold: r.threshold,
  uncertaintyHash: r.uncertainty_hash,
  ...parseQuality(r.quality),
  avHash: r.av_hash,
  anatomy: r.anatomy === null ? null : (JSON.parse(r.anatomy) as VersionAnatomy),
  arteryProbHash: r.artery_prob_hash ?? null,
});

/** The deterministic PNG of a mask: vessel 255, background 0. Same pixels, same bytes, same hash. */
export function encodeMaskPng(mask: BinaryMap): Buffer {
  const n = mask.width * mask.height;
  if (mask.data.length !== n) {
    throw new MaskSizeError(
      `mask data has ${mask.data.length} pixels, expected ${n} for ${mask.width}x${mask.height}`,
    );
  }
  const grey = new Uint8Array(n);
  for (let i = 0; i < n; i++) grey[i] = mask.data[i] ? 255 : 0;
  return encodeGreyPng({ width: mask.width, height: mask.height, data: grey });
}

function encodeProbability(p: Float32Array | Uint8Array, width: number, height: number): Buffer {
  if (p.length !== width * height) {
    throw new MaskSizeError(
      `probability map has ${p.length} pixels, expected ${width * height} (${width}x${height})`,
    );
  }
  let grey: Uint8Array;
  if (p instanceof Uint8Array) grey = p;
  else {
    grey = new Uint8Array(p.length);
    for (let i = 0; i < p.length; i++) grey[i] = Math.round(Math.min(1, Math.max(0, p[i])) * 255);
  }
  return encodeGreyPng({ width, height, data: grey });
}

export function getMaskVersion(store: Store, id: number): MaskVersion {
  const row = store.db.prepare('SELECT * FROM mask_versions WHERE id = ?').get(id) as MaskRow | undefined;
  if (!row) throw new NotFoundError(`mask version ${id} does not exist`);
  return toMask(row);
}

/** Every version of an image's mask, oldest first: the history. */
export function listMaskVersions(store: Store, imageId: number): MaskVersion[] {
  const rows = store.db
    .prepare('SELECT * FROM mask_versions WHERE image_id = ? ORDER BY id')
    .all(imageId) as MaskRow[];
  return rows.map(toMask);
}

/** The newest version of the first kind in `kinds` that the image has (e.g. ['approved', 'draft']). */
export function latestMaskVersion(
  store: Store,
  imageId: number,
  kinds: MaskKind | readonly MaskKind[],
): MaskVersion | null {
  const stmt = store.db.prepare(
    'SELECT * FROM mask_versions WHERE image_id = ? AND kind = ? ORDER BY id DESC LIMIT 1',
  );
  for (const kind of typeof kinds === 'string' ? [kinds] : kinds) {
    const row = stmt.get(imageId, kind) as MaskRow | undefined;
    if (row) return toMask(row);
  }
  return null;
}

/** The image's newest draft or approval, whichever is newer; null when a person never saved one. */
export function latestPersonVersion(store: Store, imageId: number): MaskVersion | null {
  const row = store.db
    .prepare(
      "SELECT * FROM mask_versions WHERE image_id = ? AND kind IN ('draft', 'approved') ORDER BY id DESC LIMIT 1",
    )
    .get(imageId) as MaskRow | undefined;
  return row ? toMask(row) : null;
}

/** The disc record of the image's newest version that has one, whatever its kind. */
function newestAnatomy(store: Store, imageId: number): VersionAnatomy | null {
  const row = store.db
    .prepare(
      'SELECT * FROM mask_versions WHERE image_id = ? AND anatomy IS NOT NULL ORDER BY id DESC LIMIT 1',
    )
    .get(imageId) as MaskRow | undefined;
  return row ? toMask(row).anatomy : null;
}

/**
 * Whether a person's new version moved the disc is judged against the version the edit was drawn on (two blind
 * readers each draw on the prediction: judged against the other's draft, keeping the model's disc read as moving
 * it), else the image's newest person-made version, else the newest version with a disc record: a person's version
 * can have none (a vessel approval made, or ground truth imported, before any anatomy prediction), and judged
 * against nothing a disc moved on the prediction would count as no correction.
 */
export function anatomyBefore(store: Store, imageId: number, parentId: number | null): VersionAnatomy | null {
  return (
    (parentId !== null ? getMaskVersion(store, parentId).anatomy : null) ??
    latestPersonVersion(store, imageId)?.anatomy ??
    newestAnatomy(store, imageId)
  );
}

export function latestMasks(
  store: Store,
  imageId: number,
): { prediction: MaskVersion | null; draft: MaskVersion | null; approved: MaskVersion | null } {
  return {
    prediction: latestMaskVersion(store, imageId, 'prediction'),
    draft: latestMaskVersion(store, imageId, 'draft'),
    approved: latestMaskVersion(store, imageId, 'approved'),
  };
}

/** The latest approved version of every image that has one (what retraining trains on), by image id. */
export function latestApprovedMasks(
  store: Store,
  filter: { dataset?: string; split?: 'train' | 'test'; standing?: boolean } = {},
): MaskVersion[] {
  const where: string[] = ["m.kind = 'approved'"];
  // Standing approvals only: an image reopened or edited since (a newer draft) is under review again.
  if (filter.standing) {
    where.push(
      "NOT EXISTS (SELECT 1 FROM mask_versions d WHERE d.image_id = m.image_id AND d.kind = 'draft' AND d.id > m.id)",
    );
  }
  const params: string[] = [];
  if (filter.dataset !== undefined) {
    where.push('i.dataset = ?');
    params.push(filter.dataset);
  }
  if (filter.split !== undefined) {
    where.push('i.dataset_split = ?');
    params.push(filter.split);
  }
  const rows = store.db
    .prepare(
      `SELECT m.* FROM mask_versions m JOIN images i ON i.id = m.image_id
       WHERE ${where.join(' AND ')}
         AND m.id = (SELECT MAX(id) FROM mask_versions WHERE image_id = m.image_id AND kind = 'approved')
       ORDER BY m.image_id`,
    )
    .all(...params) as MaskRow[];
  return rows.map(toMask);
}

/** Internal (inside a write): inserts a version whose blobs are already stored. */
export function insertMaskVersionTx(
  store: Store,
  v: Omit<MaskVersion, 'id' | 'createdAt' | 'avHash' | 'anatomy' | 'arteryProbHash' | 'photograph'> &
    Partial<Pick<MaskVersion, 'avHash' | 'anatomy' | 'arteryProbHash' | 'photograph'>> & {
      jobId?: string | null;
      saveId?: string | null;
    },
): MaskVersion {
  const inserted = store.db
    .prepare(
      `INSERT INTO mask_versions (id, image_id, kind, author, created_at, parent_id, model_id, png_hash, width,
         height, note, prob_hash, threshold, uncertainty_hash, quality, expected_f1, av_hash, anatomy,
         artery_prob_hash, job_id, save_id)
       VALUES (${NEXT_MASK_VERSION_ID}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .pluck()
    .get(
      v.imageId,
      v.kind,
      v.author,
      nowIso(),
      v.parentId,
      v.modelId,
      v.pngHash,
      v.width,
      v.height,
      v.note,
      v.probHash,
      v.threshold,
      v.uncertaintyHash ?? null,
      qualityJson(v.quality, v.photograph ?? null),
      v.quality?.expectedF1 ?? null,
      v.avHash ?? null,
      v.anatomy ? JSON.stringify(v.anatomy) : null,
      v.arteryProbHash ?? null,
      v.jobId ?? null,
      v.saveId ?? null,
    );
  const id = Number(inserted);
  recordAudit(store, v.author, `mask.${v.kind}`, 'mask_version', id, {
    imageId: v.imageId,
    parentId: v.parentId,
    modelId: v.modelId,
    pngHash: v.pngHash,
    ...(v.avHash ? { avHash: v.avHash } : {}),
  });
  return getMaskVersion(store, id);
}

function checkLinks(
  store: Store,
  imageId: number,
  kind: MaskKind,
  parentId: number | null,
  modelId: number | null,
): void {
  if (parentId !== null) {
    const parent = getMaskVersion(store, parentId);
    if (parent.imageId !== imageId) {
      throw new ConstraintError(
        `mask version ${parentId} belongs to image ${parent.imageId}, not ${imageId}`,
      );
    }
  }
  if (kind === 'prediction' && modelId === null)
    throw new ConstraintError('a prediction needs the model that made it');
}

function refuseApproved(store: Store, input: SaveMaskInput, image: { id: number; fileName: string }): void {
  if (input.refuseIfApproved && reviewOf(store, image.id).status === 'approved') {
    throw new ConstraintError(
      `${image.fileName} is approved: reopen it for editing before changing its mask`,
    );
  }
}

/**
 * Saves a new mask version: the PNG blob is written first, then the row and its audit entry in one transaction.
 * A mask whose size differs from the image's throws MaskSizeError and changes nothing.
 */
/** 16-bit grey PNG of u in [0,1]: 0 = certain, 65535 = most uncertain (the format `retina segment` writes too). */
async function encodeUncertainty(u: Float32Array, width: number, height: number): Promise<Buffer> {
  if (u.length !== width * height) {
    throw new MaskSizeError(
      `uncertainty map has ${u.length} pixels, expected ${width * height} (${width}x${height})`,
    );
  }
  const data = new Uint16Array(u.length);
  for (let i = 0; i < u.length; i++) data[i] = Math.round(Math.min(1, Math.max(0, u[i])) * 65535);
  return encodePngBuffer({ width, height, channels: 1, bitDepth: 16, data });
}

function versionOfJob(store: Store, jobId: string, imageId: number): number | null {
  const id = store.db
    .prepare('SELECT id FROM mask_versions WHERE job_id = ? AND image_id = ?')
    .pluck()
    .get(jobId, imageId) as number | undefined;
  return id ?? null;
}

/**
 * Internal (inside a write): the version the editor's save (or restore, or adoption) `saveId` made before (its
 * answer was lost), or null. An id is a window's own: another author's or kind's version under it is refused rather
 * than handed out.
 */
export function versionOfSaveTx(
  store: Store,
  saveId: string,
  made: Pick<MaskVersion, 'imageId' | 'author' | 'kind'>,
): MaskVersion | null {
  const id = store.db
    .prepare('SELECT id FROM mask_versions WHERE save_id = ? AND image_id = ?')
    .pluck()
    .get(saveId, made.imageId) as number | undefined;
  if (id === undefined) return null;
  const version = getMaskVersion(store, id);
  if (version.author !== made.author || version.kind !== made.kind)
    throw new ConstraintError(`save ${saveId} was another save (version ${id})`);
  return version;
}

/**
 * The drafts and approvals of the image that `author`'s saves (or restores, or adoptions) `saveIds` made, oldest
 * first, each with its save's id: what a window that never heard their answers may ask after the fact.
 */
export function versionsOfSaves(
  store: Store,
  imageId: number,
  author: string,
  saveIds: readonly string[],
): { saveId: string; version: MaskVersion }[] {
  if (saveIds.length === 0) return [];
  const rows = store.db
    .prepare(
      `SELECT id, save_id FROM mask_versions WHERE image_id = ? AND author = ?
         AND kind IN ('draft', 'approved') AND save_id IN (${saveIds.map(() => '?').join(', ')}) ORDER BY id`,
    )
    .all(imageId, author, ...saveIds) as { id: number; save_id: string }[];
  return rows.map((r) => ({ saveId: r.save_id, version: getMaskVersion(store, r.id) }));
}

/**
 * Internal (inside a write): the version an editor's edit builds on. A window that heard no answer to its saves still
 * names the version before them; the drafts and approvals those saves made (this author's, each on the one before,
 * from `parentId`) are its own, so the newest of them is the parent, and a save is not refused as stale against
 * them. Another window's save or approval in between breaks the chain: that stays stale.
 */
function parentAfterUnanswered(
  store: Store,
  imageId: number,
  author: string,
  parentId: number | null,
  saveIds: readonly string[],
): number | null {
  if (saveIds.length === 0) return parentId;
  const made = store.db
    .prepare(
      `SELECT id, parent_id FROM mask_versions WHERE image_id = ? AND author = ?
         AND kind IN ('draft', 'approved') AND save_id IN (${saveIds.map(() => '?').join(', ')}) ORDER BY id`,
    )
    .all(imageId, author, ...saveIds) as { id: number; parent_id: number | null }[];
  // A version's id is above its parent's: in id order, each one made on the newest so far extends the chain.
  let parent = parentId;
  for (const v of made) if (v.parent_id === parent) parent = v.id;
  return parent;
}

export async function saveMaskVersion(store: Store, input: SaveMaskInput): Promise<MaskVersion> {
  const image = getImage(store, input.imageId);
  const { mask } = input;
  if (mask.width !== image.width || mask.height !== image.height) {
    throw new MaskSizeError(
      `mask is ${mask.width}x${mask.height} but image ${image.id} (${image.fileName}) is ${image.width}x${image.height}`,
    );
  }
  const parentId = input.parentId ?? null;
  const modelId = input.modelId ?? null;
  checkLinks(store, image.id, input.kind, parentId, modelId);
  // Checked before the blobs are written (nothing to leave behind) and again inside the write (a racing approval).
  // An editor's stale save is kept rather than refused outright, so its check waits for the write.
  if (!input.editor) refuseApproved(store, input, image);
  if (input.av) checkAvLabels(input.av, mask.data, image.width, image.height);
  const problem = input.anatomy ? anatomyProblem(input.anatomy, image.width, image.height) : null;
  if (problem) throw new ConstraintError(`${image.fileName}: ${problem}`);
  const pngHash = await putBlob(store, encodeMaskPng(mask));
  const avHash = input.av ? await putBlob(store, encodeAvPng(input.av, image.width, image.height)) : null;
  const probHash = input.probability
    ? await putBlob(store, encodeProbability(input.probability, image.width, image.height))
    : null;
  const uncertaintyHash = input.uncertainty
    ? await putBlob(store, await encodeUncertainty(input.uncertainty.map, image.width, image.height))
    : null;
  const arteryProbHash = input.arteryProbability
    ? await putBlob(store, encodeProbability(input.arteryProbability, image.width, image.height))
    : null;
  const outcome = store.write(`save a ${input.kind} mask`, () => {
    const earlier = input.jobId ? versionOfJob(store, input.jobId, image.id) : null;
    if (earlier !== null) return { saved: getMaskVersion(store, earlier) };
    const again = input.saveId ? versionOfSaveTx(store, input.saveId, input) : null;
    if (again) return { saved: again };
    // Asked inside the write: an unanswered save may still have been on its way.
    const parent = input.editor
      ? parentAfterUnanswered(
          store,
          image.id,
          input.author,
          input.parentId ?? null,
          input.editor.unansweredSaveIds ?? [],
        )
      : (input.parentId ?? null);
    const previousAnatomy = input.kind === 'prediction' ? null : anatomyBefore(store, image.id, parent);
    const anatomy = input.anatomy
      ? anatomyOf(input.anatomy, previousAnatomy, input.author, input.kind !== 'prediction')
      : null;
    if (input.editor && input.kind !== 'prediction') {
      const pixels = { pngHash, width: mask.width, height: mask.height, avHash, anatomy };
      const refused = keepRefusedEditTx(store, image, input, parent, pixels);
      if (refused) return { refused };
      const answer = answerOwnApproval(store, image, input, parent, pixels);
      if (answer) return answer;
    }
    refuseApproved(store, input, image);
    if (anatomy) {
      const source = input.kind === 'prediction' ? 'predicted' : 'marked';
      // A person's version speaks of the eye only where its markers changed it (else it repeats the model's).
      const fromMarkers =
        source === 'predicted' || !previousAnatomy || previousAnatomy.laterality !== anatomy.laterality;
      if (fromMarkers) fillLateralityTx(store, image.id, anatomy.laterality, input.author, source);
    }
    const saved = insertMaskVersionTx(store, {
      imageId: image.id,
      kind: input.kind,
      author: input.author,
      parentId: parent,
      modelId,
      pngHash,
      width: mask.width,
      height: mask.height,
      note: input.note ?? null,
      probHash,
      threshold: input.threshold ?? null,
      uncertaintyHash,
      quality: input.uncertainty?.quality ?? null,
      photograph: input.kind === 'prediction' ? (input.photograph ?? null) : null,
      avHash,
      anatomy,
      arteryProbHash,
      jobId: input.jobId ?? null,
      saveId: input.saveId ?? null,
    });
    if (anatomy && discMoved(previousAnatomy, anatomy)) {
      recordAudit(store, input.author, 'mask.disc.move', 'mask_version', saved.id, {
        imageId: image.id,
        from: previousAnatomy?.disc ?? null,
        to: anatomy.disc,
      });
    }
    return { saved };
  });
  // A compaction that committed between storing these files and this write may have removed a file of the same
  // pixels (an old draft's): stored again, so the new row (a version, or a refused edit's kept draft) never lacks
  // its file.
  if (('refused' in outcome || outcome.saved.pngHash === pngHash) && !hasBlob(store, pngHash))
    await putBlob(store, encodeMaskPng(mask), pngHash);
  if (avHash && input.av && !hasBlob(store, avHash))
    await putBlob(store, encodeAvPng(input.av, image.width, image.height), avHash);
  // Thrown once the kept draft is committed: the save is refused, the edit is not lost.
  if ('refused' in outcome) throw outcome.refused;
  return outcome.saved;
}

/**
 * Internal (inside a write): what an editor's new draft on `parentId` is judged against, as a save is (a kept
 * draft adopted too): the version it must build on, and the lease that must be theirs or nobody's.
 */
export function editorsLine(
  store: Store,
  imageId: number,
  author: string,
  parentId: number | null,
): { current: MaskVersion | null; lease: ReturnType<typeof getLease> } {
  // A blind reader's line is their own drafts, and no lease stands between the readers.
  const readers = assigneesOf(store, imageId);
  const several = readBySeveral(store, imageId, readers);
  const blind = several && readers.includes(author);
  let current = blind ? latestDraftBy(store, imageId, author) : latestPersonVersion(store, imageId);
  // ... until a reviewer approves the image: a blind reader's later save is then stale too, and kept (it used to
  // be refused as "approved" with nothing kept, losing the reader's pixels).
  if (blind && reviewOf(store, imageId).status === 'approved') {
    const approval = latestMaskVersion(store, imageId, 'approved');
    if (approval && (current === null || approval.id > current.id)) current = approval;
  }
  // A reviewer adjudicating several readers builds on one reader's latest draft: that one is current too.
  if (!blind && several && parentId !== null) {
    if (readers.some((r) => latestDraftBy(store, imageId, r)?.id === parentId))
      current = getMaskVersion(store, parentId);
  }
  return { current, lease: blind ? null : getLease(store, imageId) };
}

/**
 * Internal (inside a save's write): an editor's save refused by the rules of shared/edit-lease.ts (another window's
 * live lease, or a parent that is no longer the image's newest draft or approval) is kept as a draft of its own;
 * the error to throw once that is committed, or null when the save may go on.
 */
function keepRefusedEditTx(
  store: Store,
  image: { id: number; fileName: string },
  input: SaveMaskInput,
  parentId: number | null,
  pixels: KeptPixels,
): EditRefusedError | null {
  const editor = input.editor!;
  const line = editorsLine(store, image.id, input.author, parentId);
  const refusal = saveRefusal({
    ...line,
    clientId: editor.clientId,
    nowMs: editor.nowMs,
    parentId,
    handedOff: editor.handedOff?.() ?? null,
  });
  if (!refusal) return null;
  return keepEditTx(store, image, input, refusal, parentId, line.current?.id ?? null, pixels);
}

type KeptPixels = Pick<KeptDraft, 'pngHash' | 'width' | 'height' | 'avHash' | 'anatomy'>;

/**
 * Internal (inside a write): keeps a refused save's edit as a draft of its own and gives the error that names it.
 * The same save sent again (its refusal's answer lost) is answered with the draft kept the first time.
 */
function keepEditTx(
  store: Store,
  image: { id: number; fileName: string },
  input: SaveMaskInput,
  refusal: SaveRefusal,
  basedOnId: number | null,
  currentId: number | null,
  pixels: KeptPixels,
): EditRefusedError {
  const saveId = input.saveId ?? null;
  const kept =
    (saveId ? keptOfSave(store, image.id, input.author, saveId) : null) ??
    keepDraftTx(
      store,
      { imageId: image.id, author: input.author, reason: refusal.kind, basedOnId, currentId, ...pixels },
      saveId,
    );
  return new EditRefusedError(refusalMessage(refusal, image.fileName, kept.id), kept.id);
}

const sameMarkers = (a: VersionAnatomy | null, b: VersionAnatomy | null): boolean =>
  JSON.stringify([a?.disc ?? null, a?.fovea ?? null, a?.laterality ?? null]) ===
  JSON.stringify([b?.disc ?? null, b?.fovea ?? null, b?.laterality ?? null]);

/**
 * Internal (inside a write): an editor's save that reached, through its window's unanswered saves, that window's
 * own approval (its answer was lost, and the window went on as if the image were not approved). The approved mask
 * sent again (the window leaving the image, Approve pressed again) is answered with the approval. Any other edit is
 * kept as a draft of its own, as another window's would be: changing an approved mask starts with a reopen.
 */
function answerOwnApproval(
  store: Store,
  image: { id: number; fileName: string },
  input: SaveMaskInput,
  parent: number | null,
  pixels: KeptPixels,
): { saved: MaskVersion } | { refused: EditRefusedError } | null {
  // Reached only through the window's own saves: the parent it names is not it.
  if (parent === null || parent === (input.parentId ?? null)) return null;
  const approval = getMaskVersion(store, parent);
  if (approval.kind !== 'approved') return null;
  const same =
    approval.pngHash === pixels.pngHash &&
    approval.avHash === pixels.avHash &&
    sameMarkers(approval.anatomy, pixels.anatomy);
  if (same) return { saved: approval };
  const refusal: SaveRefusal = {
    kind: 'stale',
    by: approval.author,
    at: approval.createdAt,
    approved: true,
    own: true,
  };
  return { refused: keepEditTx(store, image, input, refusal, parent, approval.id, pixels) };
}

/** The nearest prediction the version descends from (through drafts and earlier approvals), or null. */
export function sourcePrediction(store: Store, version: MaskVersion): MaskVersion | null {
  const seen = new Set<number>();
  let id = version.parentId;
  while (id !== null && !seen.has(id)) {
    seen.add(id);
    const v = getMaskVersion(store, id);
    if (v.kind === 'prediction') return v;
    id = v.parentId;
  }
  return null;
}

/** Approves a version as it is: a new 'approved' version with the same pixels whose parent is `versionId`. */
export function approveMaskVersion(
  store: Store,
  versionId: number,
  author: string,
  note?: string,
): MaskVersion {
  const source = getMaskVersion(store, versionId);
  return store.write('approve a mask', () => {
    // Asked inside the write: a compaction committed meanwhile has removed its file.
    refuseIfCompacted(store, source);
    return insertMaskVersionTx(store, {
      imageId: source.imageId,
      kind: 'approved',
      author,
      parentId: source.id,
      modelId: null,
      pngHash: source.pngHash,
      width: source.width,
      height: source.height,
      avHash: source.avHash,
      anatomy: source.anatomy,
      note: note ?? null,
      probHash: null,
      uncertaintyHash: null,
      quality: null,
      threshold: null,
    });
  });
}

/**
 * Reopens an approved mask: a draft with the approval's pixels whose parent is the approval, recorded in the audit
 * log as a reopen. Only an image whose newest person-made version is an approval can be reopened. The reason, when
 * given ("disc cut at the rim"), goes into the audit entry: a withdrawn approval is what a quality lead asks about.
 */
export function reopenApprovedMask(
  store: Store,
  imageId: number,
  author: string,
  reason?: string,
): MaskVersion {
  return store.write('reopen an approved mask', () => {
    const image = getImage(store, imageId);
    const review = reviewOf(store, imageId);
    if (review.status !== 'approved' || !review.approval) {
      throw new ConstraintError(`${image.fileName} is not approved: there is nothing to reopen`);
    }
    const approved = getMaskVersion(store, review.approval.versionId);
    const draft = insertMaskVersionTx(store, {
      imageId,
      kind: 'draft',
      author,
      parentId: approved.id,
      modelId: null,
      pngHash: approved.pngHash,
      width: approved.width,
      height: approved.height,
      avHash: approved.avHash,
      anatomy: approved.anatomy,
      note: 'reopened for editing',
      probHash: null,
      uncertaintyHash: null,
      quality: null,
      threshold: null,
    });
    const why = reason?.trim();
    recordAudit(store, author, 'mask.reopen', 'mask_version', draft.id, {
      imageId,
      approvedId: approved.id,
      ...(why ? { reason: why } : {}),
    });
    return draft;
  });
}

/** The version's PNG bytes (deterministic: what exports write); a compacted version's are no longer kept. */
export async function readMaskPng(store: Store, version: MaskVersion): Promise<Buffer> {
  refuseIfCompacted(store, version);
  return readBlob(store, version.pngHash);
}

/** The version's pixels as a 0/1 map; a compacted version's are no longer kept. */
export async function loadMask(store: Store, version: MaskVersion): Promise<BinaryMap> {
  refuseIfCompacted(store, version);
  const { pngHash: hash, width, height } = version;
  return loadBinaryBlob(store, { hash, width, height }, `mask version ${version.id}`);
}

/** A prediction's probability map in [0,1] (8-bit precision), or null when none was saved. */
/** The stored probability map as it is kept: 8 bits, v = round(255 p). */
export async function loadProbabilityBytes(store: Store, version: MaskVersion): Promise<Uint8Array | null> {
  if (!version.probHash) return null;
  const grey = decodeGreyBlob(
    await readBlob(store, version.probHash),
    `probability of mask version ${version.id}`,
  );
  return grey.data;
}

/** A prediction's uncertainty map as stored (16-bit, u = v / 65535), or null when none was estimated. */
export async function loadUncertainty(store: Store, version: MaskVersion): Promise<Uint16Array | null> {
  if (!version.uncertaintyHash) return null;
  const name = `uncertainty of mask version ${version.id}`;
  const img = decodePng(await readBlob(store, version.uncertaintyHash));
  if (
    img.width !== version.width ||
    img.height !== version.height ||
    img.channels !== 1 ||
    img.bitDepth !== 16
  ) {
    throw new StoreError(
      `${name}: blob ${version.uncertaintyHash} is not a ${version.width}x${version.height} 16-bit map`,
    );
  }
  return img.data as Uint16Array;
}

/** A prediction's artery probability as kept (8 bits, v = round(255 p)), or null when none was saved. */
export async function loadArteryProbabilityBytes(
  store: Store,
  version: MaskVersion,
): Promise<Uint8Array | null> {
  if (!version.arteryProbHash) return null;
  const grey = decodeGreyBlob(
    await readBlob(store, version.arteryProbHash),
    `artery probability of mask version ${version.id}`,
  );
  if (grey.width !== version.width || grey.height !== version.height) {
    throw new StoreError(`mask version ${version.id}: blob ${version.arteryProbHash} does not match its row`);
  }
  return grey.data;
}

export async function loadProbability(store: Store, version: MaskVersion): Promise<Float32Array | null> {
  const bytes = await loadProbabilityBytes(store, version);
  if (!bytes) return null;
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < out.length; i++) out[i] = bytes[i] / 255;
  return out;
}

/** The newest draft `author` saved of the image; null when they saved none. */
export function latestDraftBy(store: Store, imageId: number, author: string): MaskVersion | null {
  const id = store.db
    .prepare("SELECT MAX(id) FROM mask_versions WHERE image_id = ? AND kind = 'draft' AND author = ?")
    .pluck()
    .get(imageId, author) as number | null;
  return id === null ? null : getMaskVersion(store, id);
}
