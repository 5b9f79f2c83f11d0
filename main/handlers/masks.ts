// Mask versions across the boundary: the latest prediction (with its probability map, so the viewer's slider can
// re-threshold it), draft and approved mask of an image, and saving drafts and approvals.
import type {
  MaskVersionPayload,
  MasksResponse,
  PredictionPayload,
  SaveMaskRequest,
  SavedVersion,
} from '../../shared/contract.js';
import {
  getImage,
  getModel,
  latestMasks,
  loadMask,
  loadProbabilityBytes,
  maskVersionNumber,
  reopenApprovedMask,
  saveMaskVersion,
  type MaskVersion,
  type Store,
} from '../store/index.js';
import { rowId, toId, toIdOrNull } from './ids.js';
import { reviewState } from './summaries.js';

/** The store keeps 8-bit probabilities (round(255 p)); the transport carries 16 bits: v16 = 257 * v8, exact. */
function prob16FromBytes(prob: Uint8Array): Uint8Array {
  const out = new Uint16Array(prob.length);
  for (let i = 0; i < prob.length; i++) out[i] = prob[i] * 257;
  const bytes = new Uint8Array(out.buffer);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    for (let i = 0; i < bytes.length; i += 2) [bytes[i], bytes[i + 1]] = [bytes[i + 1], bytes[i]];
  }
  return bytes;
}

async function predictionPayload(store: Store, v: MaskVersion): Promise<PredictionPayload> {
  const model = v.modelId !== null ? getModel(store, v.modelId) : null;
  const prob = await loadProbabilityBytes(store, v);
  return {
    versionId: toId(v.id),
    version: maskVersionNumber(store, v),
    modelId: toIdOrNull(v.modelId),
    modelName: model?.name ?? null,
    createdAt: v.createdAt,
    threshold: v.threshold ?? 0.5,
    ...(prob
      ? { encoding: 'prob16' as const, data: prob16FromBytes(prob) }
      : { encoding: 'mask8' as const, data: (await loadMask(store, v)).data }),
  };
}

async function versionPayload(store: Store, v: MaskVersion): Promise<MaskVersionPayload> {
  return {
    versionId: toId(v.id),
    version: maskVersionNumber(store, v),
    kind: v.kind === 'approved' ? 'approved' : 'draft',
    createdAt: v.createdAt,
    author: v.author,
    parentVersionId: toIdOrNull(v.parentId),
    data: (await loadMask(store, v)).data,
  };
}

export async function getMasks(store: Store, imageIdArg: string): Promise<MasksResponse> {
  const image = getImage(store, rowId(imageIdArg, 'image'));
  const latest = latestMasks(store, image.id);
  return {
    imageId: toId(image.id),
    width: image.width,
    height: image.height,
    prediction: latest.prediction ? await predictionPayload(store, latest.prediction) : null,
    draft: latest.draft ? await versionPayload(store, latest.draft) : null,
    approved: latest.approved ? await versionPayload(store, latest.approved) : null,
    review: reviewState(store, image.id),
  };
}

export async function saveMask(
  store: Store,
  req: SaveMaskRequest,
  kind: 'draft' | 'approved',
  author: string,
): Promise<SavedVersion> {
  const imageId = rowId(req.imageId, 'image');
  const saved = await saveMaskVersion(store, {
    imageId,
    kind,
    author,
    mask: { width: req.width, height: req.height, data: req.mask },
    parentId: req.parentVersionId === null ? null : rowId(req.parentVersionId, 'mask version'),
    // A draft never lands on an approved image: editing it starts with an explicit reopen.
    refuseIfApproved: kind === 'draft',
  });
  return savedVersion(store, saved);
}

/** What a save answers: the version, its per-image number, and the image's review state after it. */
export function savedVersion(store: Store, saved: MaskVersion): SavedVersion {
  const review = reviewState(store, saved.imageId);
  return {
    versionId: toId(saved.id),
    version: maskVersionNumber(store, saved),
    createdAt: saved.createdAt,
    status: review.status,
    review,
  };
}

/** Reopens the latest approval for editing: a draft with the approval's pixels, so the image is a draft again. */
export function reopenMask(store: Store, imageIdArg: string, author: string): SavedVersion {
  const imageId = rowId(imageIdArg, 'image');
  return savedVersion(store, reopenApprovedMask(store, imageId, author));
}
