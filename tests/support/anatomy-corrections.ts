// A person's anatomy work as an anatomy retrain learns from it: the model's prediction of a DRIVE test image (every
// vessel a vein, the disc 60 px off) saved with its vessel mask, then approved as it was, or corrected first (RITE's
// artery/vein labels, DRIVE-OD's disc, or the disc removed as a false one) and approved. Shared by the retrain's
// integration and browser tests.
import { approveMaskVersion, saveMaskVersion, type Store } from '../../main/store/index.js';
import { referenceAnatomy } from '../integration/measure-fixture.js';

/** Returns the approved version's id. */
export async function approveAnatomyPrediction(
  store: Store,
  opts: {
    imageId: number;
    driveId: string;
    vesselModelId: number;
    correct: boolean;
    annotator?: string;
    /** What the correction does to the disc: moves it onto DRIVE-OD's (the default), or removes it. */
    disc?: 'moved' | 'removed';
  },
): Promise<number> {
  const { imageId, annotator = 'ann' } = opts;
  const ref = await referenceAnatomy(opts.driveId);
  const mask = { width: ref.width, height: ref.height, data: ref.mask };
  const predicted = { disc: { ...ref.disc, x: ref.disc.x + 60 }, fovea: null, laterality: null };
  const prediction = await saveMaskVersion(store, {
    imageId,
    kind: 'prediction',
    author: 'model',
    modelId: opts.vesselModelId,
    mask,
    threshold: 0.5,
    av: Uint8Array.from(ref.mask, (v) => (v ? 2 : 0)),
    anatomy: predicted,
  });
  if (!opts.correct) return approveMaskVersion(store, prediction.id, annotator).id;
  const draft = await saveMaskVersion(store, {
    imageId,
    kind: 'draft',
    author: annotator,
    mask,
    parentId: prediction.id,
    av: ref.av,
    anatomy: { ...predicted, disc: opts.disc === 'removed' ? null : ref.disc },
  });
  return approveMaskVersion(store, draft.id, annotator).id;
}
