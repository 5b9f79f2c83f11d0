// A mask version's anatomy: its artery/vein label map (0 background, 1 artery, 2 vein; an 8-bit single-channel PNG
// blob beside the mask's) and its record of optic disc, fovea and laterality. Labels are derived from the mask, so
// a version's labels must cover exactly its vessel pixels; the store refuses anything else rather than keep a map
// that no longer matches its mask.
import { encodeGreyPng } from '../ml/io/png-codec.js';
import { AV_CLASS } from '../../shared/vessel-segments.js';
import type { Store } from './database.js';
import { recordAudit } from './audit.js';
import { ConstraintError, MaskSizeError } from './errors.js';
import { loadGreyBlob } from './image-data.js';
import { refuseIfCompacted } from './compacted.js';

export interface VersionAnatomy {
  /** Disc centre and diameter in image pixels; null when none was found. */
  disc: { x: number; y: number; diameter: number } | null;
  fovea: { x: number; y: number; confidence: number } | null;
  /** Of the photograph, as the model judged it from the disc: 'L' left eye, 'R' right eye. */
  laterality: 'L' | 'R' | null;
  /** Who last moved the disc by hand (null: where the model put it). */
  discMovedBy: string | null;
}

/** What a save may carry: the record without its bookkeeping (the store fills `discMovedBy`). */
export type AnatomyInput = Omit<VersionAnatomy, 'discMovedBy'>;

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A one-line reason why `a` is not a valid record for a width x height image, or null. */
export function anatomyProblem(a: AnatomyInput, width: number, height: number): string | null {
  const inside = (x: number, y: number) =>
    finite(x) && finite(y) && x >= 0 && y >= 0 && x <= width && y <= height;
  if (a.disc) {
    if (!inside(a.disc.x, a.disc.y)) return `the disc centre (${a.disc.x}, ${a.disc.y}) is off the image`;
    if (!finite(a.disc.diameter) || a.disc.diameter <= 0 || a.disc.diameter > Math.max(width, height)) {
      return `the disc diameter ${a.disc.diameter} is not between 0 and the image's size`;
    }
  }
  if (a.fovea) {
    if (!inside(a.fovea.x, a.fovea.y)) return `the fovea (${a.fovea.x}, ${a.fovea.y}) is off the image`;
    if (!finite(a.fovea.confidence) || a.fovea.confidence < 0 || a.fovea.confidence > 1) {
      return `the fovea confidence ${a.fovea.confidence} is not in 0..1`;
    }
  }
  if (a.laterality !== null && a.laterality !== 'L' && a.laterality !== 'R') {
    return `laterality must be 'L', 'R' or null, got ${JSON.stringify(a.laterality)}`;
  }
  return null;
}

/**
 * Checks that `labels` is a label map of `mask`: same size, values 0..2, non-zero exactly on vessel pixels. Throws
 * MaskSizeError or ConstraintError naming the first offending pixel.
 */
export function checkAvLabels(labels: Uint8Array, mask: Uint8Array, width: number, height: number): void {
  if (labels.length !== width * height) {
    throw new MaskSizeError(
      `the artery/vein map has ${labels.length} pixels, expected ${width}x${height} = ${width * height}`,
    );
  }
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (v > AV_CLASS.vein) {
      throw new ConstraintError(
        `the artery/vein map has value ${v} at (${i % width}, ${Math.floor(i / width)})`,
      );
    }
    if ((v !== 0) !== (mask[i] !== 0)) {
      const where = `(${i % width}, ${Math.floor(i / width)})`;
      throw new ConstraintError(
        mask[i]
          ? `the artery/vein map leaves vessel pixel ${where} unlabelled: every vessel pixel is artery or vein`
          : `the artery/vein map labels ${where}, which is not a vessel pixel of the mask`,
      );
    }
  }
}

/** The deterministic PNG of a label map (raw 0/1/2 grey values). */
export function encodeAvPng(labels: Uint8Array, width: number, height: number): Buffer {
  return encodeGreyPng({ width, height, data: labels });
}

export async function loadAvLabels(
  store: Store,
  v: { id: number; imageId: number; avHash: string | null; width: number; height: number },
): Promise<Uint8Array | null> {
  if (!v.avHash) return null;
  refuseIfCompacted(store, v);
  const { avHash: hash, width, height } = v;
  return (await loadGreyBlob(store, { hash, width, height }, `artery/vein map of mask version ${v.id}`)).data;
}

export const sameDisc = (a: AnatomyInput['disc'], b: AnatomyInput['disc']): boolean =>
  a === b || (!!a && !!b && a.x === b.x && a.y === b.y && a.diameter === b.diameter);

/** A person moved the disc in this version (its parent's disc was elsewhere). */
export function discMoved(parent: VersionAnatomy | null, next: VersionAnatomy): boolean {
  return parent !== null && next.discMovedBy !== null && !sameDisc(parent.disc, next.disc);
}

/**
 * The record a new version keeps: a person's version whose disc differs from its parent's records its author as
 * the one who moved it; otherwise the parent's mover carries over. Predictions are the model's own.
 */
export function anatomyOf(
  input: AnatomyInput,
  parent: VersionAnatomy | null,
  author: string,
  byPerson: boolean,
): VersionAnatomy {
  const clean: AnatomyInput = {
    disc: input.disc ? { x: input.disc.x, y: input.disc.y, diameter: input.disc.diameter } : null,
    fovea: input.fovea ? { x: input.fovea.x, y: input.fovea.y, confidence: input.fovea.confidence } : null,
    laterality: input.laterality,
  };
  if (!byPerson) return { ...clean, discMovedBy: null };
  const moved = parent ? !sameDisc(parent.disc, clean.disc) : false;
  return { ...clean, discMovedBy: moved ? author : (parent?.discMovedBy ?? null) };
}

/**
 * Internal (inside a write): a version's laterality (a prediction's, or read from the disc and fovea a person
 * marked) fills the image's when it is unknown, unless a person ever set or cleared the eye (their word stands, even
 * when it is "unknown"). Markers a person placed also correct an eye that was only filled this way (the model's
 * guess, or earlier markers); an eye from the file itself (DICOM, file name) stays. Right eye -> OD, left eye -> OS.
 * The audit says which source filled it.
 */
export function fillLateralityTx(
  store: Store,
  imageId: number,
  laterality: 'L' | 'R' | null,
  actor: string,
  source: 'predicted' | 'marked',
): void {
  if (!laterality) return;
  const eye = laterality === 'R' ? 'OD' : 'OS';
  const current = store.db.prepare('SELECT laterality FROM images WHERE id = ?').pluck().get(imageId);
  if (current === eye) return;
  const personSet = store.db
    .prepare(
      `SELECT 1 FROM audit_log WHERE entity = 'image' AND entity_id = ?
         AND (action = 'image.laterality' OR (action = 'image.clinical' AND details LIKE '%"eye"%')) LIMIT 1`,
    )
    .get(imageId);
  if (personSet) return;
  if (current !== null) {
    // Only a person's markers correct an eye, and only one that an earlier fill (not the file) gave.
    const filled = store.db
      .prepare(
        `SELECT 1 FROM audit_log WHERE entity = 'image' AND entity_id = ?
           AND action IN ('image.laterality.predicted', 'image.laterality.marked') LIMIT 1`,
      )
      .get(imageId);
    if (source !== 'marked' || !filled) return;
  }
  store.db.prepare('UPDATE images SET laterality = ? WHERE id = ?').run(eye, imageId);
  recordAudit(store, actor, `image.laterality.${source}`, 'image', imageId, { before: current, after: eye });
}
