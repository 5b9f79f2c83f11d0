// The approved artery/vein labels and disc records a person corrected: what the anatomy retrains learn from. One
// query (portable SQL: a recursive walk up each approval's parents to the prediction it descends from) returns every
// standing approval that carries anatomy, beside that prediction's labels and disc; the comparison says which a
// person changed.
import { readFileSync } from 'node:fs';
import type { Store } from './database.js';
import type { VersionAnatomy } from './anatomy.js';
import { blobPath } from './file-store.js';
import { decodeGreyBlob } from './image-data.js';

export interface AnatomyApproval {
  imageId: number;
  maskVersionId: number;
  width: number;
  height: number;
  /** The approval's artery/vein label blob and record (either may be absent). */
  avHash: string | null;
  anatomy: VersionAnatomy | null;
  /** The prediction the approval descends from (through drafts and earlier approvals), or null. */
  predictionId: number | null;
  /**
   * A person relabelled vessels: a pixel labelled in both the approval and that prediction has the other label (or
   * no prediction made the labels). Labels that differ only where the mask changed (vessels drawn take their
   * labels from the vessel they join, erased ones lose theirs) are the model's own, no correction.
   */
  avCorrected: boolean;
  /**
   * A person moved the disc away from where the prediction put it, placed one where it found none, or removed the
   * one it found (a photograph that shows no disc: `anatomy.disc` is null).
   */
  discMoved: boolean;
}

interface Row {
  imageId: number;
  maskVersionId: number;
  width: number;
  height: number;
  avHash: string | null;
  anatomy: string | null;
  predictionId: number | null;
  predictionAvHash: string | null;
  predictionAnatomy: string | null;
}

const SQL = `
WITH RECURSIVE approved AS (
  SELECT m.id, m.image_id, m.parent_id, m.width, m.height, m.av_hash, m.anatomy
  FROM mask_versions m
  WHERE m.kind = 'approved' AND (m.av_hash IS NOT NULL OR m.anatomy IS NOT NULL)
    AND m.id = (SELECT MAX(a.id) FROM mask_versions a WHERE a.image_id = m.image_id AND a.kind = 'approved')
    AND NOT EXISTS (
      SELECT 1 FROM mask_versions d WHERE d.image_id = m.image_id AND d.kind = 'draft' AND d.id > m.id)
),
ancestors (approved_id, id, kind, parent_id) AS (
  SELECT a.id, p.id, p.kind, p.parent_id FROM approved a JOIN mask_versions p ON p.id = a.parent_id
  UNION ALL
  SELECT c.approved_id, p.id, p.kind, p.parent_id
  FROM ancestors c JOIN mask_versions p ON p.id = c.parent_id
  WHERE c.kind <> 'prediction'
)
SELECT a.image_id AS "imageId", a.id AS "maskVersionId", a.width AS "width", a.height AS "height",
       a.av_hash AS "avHash", a.anatomy AS "anatomy", p.id AS "predictionId",
       p.av_hash AS "predictionAvHash", p.anatomy AS "predictionAnatomy"
FROM approved a
LEFT JOIN ancestors c ON c.approved_id = a.id AND c.kind = 'prediction'
LEFT JOIN mask_versions p ON p.id = c.id
ORDER BY a.image_id`;

const parse = (json: string | null): VersionAnatomy | null =>
  json === null ? null : (JSON.parse(json) as VersionAnatomy);

function moved(a: VersionAnatomy | null, prediction: VersionAnatomy | null): boolean {
  if (!a || a.discMovedBy === null) return false;
  const p = prediction?.disc ?? null;
  if (!a.disc) return p !== null;
  return !p || p.x !== a.disc.x || p.y !== a.disc.y || p.diameter !== a.disc.diameter;
}

/** Whether two label blobs disagree on a pixel both label; blobs are named by their content, so kept once known. */
const relabelledCache = new Map<string, boolean>();

function relabelled(store: Store, avHash: string, predictionAvHash: string | null): boolean {
  if (predictionAvHash === null) return true;
  if (avHash === predictionAvHash) return false;
  const key = `${avHash}:${predictionAvHash}`;
  let known = relabelledCache.get(key);
  if (known === undefined) {
    const read = (hash: string) =>
      decodeGreyBlob(readFileSync(blobPath(store, hash)), `artery/vein map ${hash}`).data;
    const a = read(avHash);
    const p = read(predictionAvHash);
    known = false;
    for (let i = 0; i < a.length && !known; i++) known = a[i] !== 0 && p[i] !== 0 && a[i] !== p[i];
    relabelledCache.set(key, known);
  }
  return known;
}

/** Standing approvals (the latest of each image, not reopened since) that carry labels or a disc, by image. */
export function anatomyApprovals(store: Store): AnatomyApproval[] {
  const rows = store.db.prepare(SQL).all() as Row[];
  return rows.map((r) => {
    const anatomy = parse(r.anatomy);
    return {
      imageId: Number(r.imageId),
      maskVersionId: Number(r.maskVersionId),
      width: Number(r.width),
      height: Number(r.height),
      avHash: r.avHash,
      anatomy,
      predictionId: r.predictionId === null ? null : Number(r.predictionId),
      avCorrected: r.avHash !== null && relabelled(store, r.avHash, r.predictionAvHash),
      discMoved: moved(anatomy, parse(r.predictionAnatomy)),
    };
  });
}
