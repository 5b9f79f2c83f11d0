// Mask versions across the boundary: the latest prediction (with its probability map, so the viewer's slider can
// re-threshold it), draft and approved mask of an image, and saving drafts and approvals.
import type {
  AnatomyPayload,
  MaskVersionPayload,
  MasksResponse,
  MaskVersionPreview,
  MadeSave,
  PredictionPayload,
  ProbabilitiesResponse,
  SaveMaskRequest,
  SavedVersion,
  SavesMadeRequest,
  UncertaintyPayload,
} from '../../shared/contract.js';
import {
  getImage,
  getMaskVersion,
  getModel,
  latestDraftBy,
  readsBlind,
  latestMasks,
  latestMaskVersion,
  loadUncertainty,
  maskVersionNumber,
  NotFoundError,
  reopenApprovedMask,
  saveMaskVersion,
  type MaskVersion,
  type Store,
  refuseIfCompacted,
  versionsOfSaves,
} from '../store/index.js';
import { rowId, toId, toIdOrNull } from './ids.js';
import { MaskPixels } from './maskPixels.js';
import { reviewState } from './summaries.js';
import { alsoDiffers } from './version-differences.js';

/** A version's artery/vein layer as the wire carries it; its labels only when the viewer needs them (`withAv`). */
async function anatomyFields(
  pixels: MaskPixels,
  v: MaskVersion,
  withAv: boolean,
): Promise<{ av: Uint8Array | null; anatomy: AnatomyPayload | null }> {
  return { av: withAv ? await pixels.av(v) : null, anatomy: v.anatomy };
}

/** What the prediction's pixels go as: its mask packed (`bits`), else its probabilities, else its mask. */
async function predictionPixels(
  pixels: MaskPixels,
  v: MaskVersion,
  threshold: number,
  bits: boolean,
): Promise<Pick<PredictionPayload, 'encoding' | 'data' | 'probabilities'>> {
  if (bits) return { encoding: 'bits', data: await pixels.bits(v, threshold), probabilities: !!v.probHash };
  // prob8, as the store keeps it: half the bytes of prob16 to send and to receive, and nothing to convert.
  const prob = await pixels.prob8(v);
  return prob ? { encoding: 'prob8', data: prob } : { encoding: 'mask8', data: await pixels.mask(v) };
}

async function predictionPayload(
  store: Store,
  pixels: MaskPixels,
  v: MaskVersion,
  withAv: boolean,
  bits: boolean,
): Promise<PredictionPayload> {
  const model = v.modelId !== null ? getModel(store, v.modelId) : null;
  const threshold = v.threshold ?? 0.5;
  return {
    versionId: toId(v.id),
    version: maskVersionNumber(store, v),
    modelId: toIdOrNull(v.modelId),
    modelName: model?.name ?? null,
    createdAt: v.createdAt,
    threshold,
    ...(await predictionPixels(pixels, v, threshold, bits)),
    ...(await anatomyFields(pixels, v, withAv)),
  };
}

/** The prediction `versionId` of the image; not found when it is another image's, or not a prediction. */
function prediction(store: Store, req: { imageId: string; versionId: string }): MaskVersion {
  const v = getMaskVersion(store, rowId(req.versionId, 'mask version'));
  if (v.imageId !== rowId(req.imageId, 'image') || v.kind !== 'prediction')
    throw new NotFoundError(`mask version ${req.versionId} is not a prediction of image ${req.imageId}`);
  return v;
}

/** A prediction's probability map (prob8); null when it kept only its mask. */
export async function getProbabilities(
  store: Store,
  req: { imageId: string; versionId: string },
  pixels = new MaskPixels(store),
): Promise<ProbabilitiesResponse | null> {
  const v = prediction(store, req);
  const data = await pixels.prob8(v);
  return data ? { versionId: toId(v.id), data } : null;
}

/**
 * A prediction's uncertainty (the one named, which the viewer shows, else the latest), one byte per pixel (the heat
 * map's precision), with its gap markers.
 */
export async function getUncertainty(
  store: Store,
  req: { imageId: string; versionId?: string },
): Promise<UncertaintyPayload | null> {
  const image = getImage(store, rowId(req.imageId, 'image'));
  const { versionId } = req;
  const v =
    versionId === undefined
      ? latestMaskVersion(store, image.id, 'prediction')
      : prediction(store, { imageId: req.imageId, versionId });
  if (!v?.quality) return null;
  const u16 = await loadUncertainty(store, v);
  if (!u16) return null;
  const data = new Uint8Array(u16.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(u16[i] / 257);
  const q = v.quality;
  return {
    versionId: toId(v.id),
    width: v.width,
    height: v.height,
    encoding: 'u8',
    data,
    gaps: q.gaps,
    quality: {
      expectedF1: q.expectedF1,
      meanUncertainty: q.meanUncertainty,
      fragments: q.fragments,
      gaps: q.gaps.length,
    },
  };
}

export async function versionPayload(
  store: Store,
  pixels: MaskPixels,
  v: MaskVersion,
  withAv: boolean,
  bits = false,
): Promise<MaskVersionPayload> {
  return {
    versionId: toId(v.id),
    version: maskVersionNumber(store, v),
    kind: v.kind === 'approved' ? 'approved' : 'draft',
    createdAt: v.createdAt,
    author: v.author,
    parentVersionId: toIdOrNull(v.parentId),
    data: bits ? await pixels.bits(v) : await pixels.mask(v),
    ...(await anatomyFields(pixels, v, withAv)),
  };
}

/** `pixels` keeps decoded blobs across calls (the workstation passes its one); without it nothing is kept. */
export async function getMasks(
  store: Store,
  imageIdArg: string,
  pixels = new MaskPixels(store),
  anatomyModels = false,
  /** Two-reader mode: the annotator asking, who sees only their own drafts (blind to the other reader's). */
  reader?: string,
  /** Masks 8 pixels a byte, the prediction's probabilities left for getProbabilities (see MasksRequest). */
  bits = false,
): Promise<MasksResponse> {
  const image = getImage(store, rowId(imageIdArg, 'image'));
  const latest = latestMasks(store, image.id);
  if (reader !== undefined) latest.draft = latestDraftBy(store, image.id, reader);
  const review = reviewState(store, image.id, undefined, reader ?? null);
  // Artery/vein labels (a byte per pixel each) go only where editing resumes (the viewer's rule: the newest
  // person-made version), and the prediction's only when that version has none to start from.
  const resume =
    review.status === 'approved' ? (latest.approved ?? latest.draft) : (latest.draft ?? latest.approved);
  const predictionAv = !resume?.avHash;
  // Side by side: the blob reads overlap.
  const [prediction, draft, approved] = await Promise.all([
    latest.prediction ? predictionPayload(store, pixels, latest.prediction, predictionAv, bits) : null,
    latest.draft ? versionPayload(store, pixels, latest.draft, latest.draft === resume, bits) : null,
    latest.approved ? versionPayload(store, pixels, latest.approved, latest.approved === resume, bits) : null,
  ]);
  return {
    imageId: toId(image.id),
    width: image.width,
    height: image.height,
    prediction,
    draft,
    approved,
    review,
    anatomyModels,
  };
}

/**
 * An editor's save: refused (the edit kept as a draft of its own) when `handedOff` says the image was handed on
 * (team review), while another window holds the image's lease, or when `parentVersionId` is no longer the image's
 * newest draft or approval. `nowMs` is the lease clock's time.
 */
export async function saveMask(
  store: Store,
  req: SaveMaskRequest,
  kind: 'draft' | 'approved',
  author: string,
  nowMs: number = Date.now(),
  handedOff?: (imageId: number) => string | null,
): Promise<SavedVersion> {
  const imageId = rowId(req.imageId, 'image');
  const saved = await saveMaskVersion(store, {
    imageId,
    kind,
    author,
    mask: { width: req.width, height: req.height, data: req.mask },
    parentId: req.parentVersionId === null ? null : rowId(req.parentVersionId, 'mask version'),
    // Nothing an editor saves lands on an approved image, an approval of other pixels neither: changing an approved
    // mask starts with an explicit reopen (audited as such).
    refuseIfApproved: true,
    av: req.av ?? null,
    anatomy: req.anatomy ?? null,
    editor: {
      clientId: req.clientId ?? null,
      nowMs,
      handedOff: handedOff ? () => handedOff(imageId) : undefined,
      unansweredSaveIds: req.unansweredSaveIds ?? [],
    },
    saveId: req.saveId ?? null,
  });
  return savedVersion(store, saved);
}

/** What a save answers: the version, its per-image number, and the image's review state after it. */
export function savedVersion(store: Store, saved: MaskVersion): SavedVersion {
  // A blind reader's own save is answered with their own reading's state.
  const reader = readsBlind(store, saved.imageId, saved.author) ? saved.author : null;
  const review = reviewState(store, saved.imageId, undefined, reader);
  return {
    versionId: toId(saved.id),
    version: maskVersionNumber(store, saved),
    createdAt: saved.createdAt,
    status: review.status,
    review,
  };
}

/** The versions `author`'s saves named made of the image (their answers lost): only the caller's own are told. */
export function savesMade(store: Store, req: SavesMadeRequest, author: string): { saves: MadeSave[] } {
  const imageId = getImage(store, rowId(req.imageId, 'image')).id;
  const saves = versionsOfSaves(store, imageId, author, req.saveIds).map(({ saveId, version: v }) => ({
    saveId,
    versionId: toId(v.id),
    version: maskVersionNumber(store, v),
    kind: v.kind === 'approved' ? ('approved' as const) : ('draft' as const),
  }));
  return { saves };
}

/** An earlier version of the image's mask (from its History), as the viewer shows it over the current one. */
export async function getMaskVersionPreview(
  store: Store,
  pixels: MaskPixels,
  imageIdArg: string,
  versionIdArg: string,
): Promise<MaskVersionPreview> {
  const image = getImage(store, rowId(imageIdArg, 'image'));
  const v = getMaskVersion(store, rowId(versionIdArg, 'mask version'));
  if (v.imageId !== image.id)
    throw new NotFoundError(`mask version ${versionIdArg} is not a version of ${image.fileName}`);
  // Asked before the pixel cache: a compacted version's file may live on in another version's (same pixels).
  refuseIfCompacted(store, v);
  return {
    imageId: toId(image.id),
    versionId: toId(v.id),
    version: maskVersionNumber(store, v),
    kind: v.kind,
    author: v.author,
    createdAt: v.createdAt,
    width: v.width,
    height: v.height,
    data: await pixels.mask(v),
    alsoDiffers: await alsoDiffers(store, pixels, v),
    ...(await anatomyFields(pixels, v, true)),
  };
}

/** Reopens the latest approval for editing: a draft with the approval's pixels, so the image is a draft again. */
export function reopenMask(store: Store, imageIdArg: string, author: string, reason?: string): SavedVersion {
  const imageId = rowId(imageIdArg, 'image');
  return savedVersion(store, reopenApprovedMask(store, imageId, author, reason));
}
