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
  saveMaskVersion,
  type MaskVersion,
  type Store,
} from '../store/index.js';
import { rowId, toId, toIdOrNull } from './ids.js';
import { summaryFromRecord } from './summaries.js';

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
  });
  return {
    versionId: toId(saved.id),
    createdAt: saved.createdAt,
    status: summaryFromRecord(store, getImage(store, imageId)).status,
  };
}
