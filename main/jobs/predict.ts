// Batch prediction, run inside a job worker (and by the retrain worker's re-prediction after a promotion): one
// ONNX Runtime session for the whole batch; each image is saved as a 'prediction' mask version with its
// probability map, then reported. With anatomy models (opened once per job too) each prediction also carries its
// artery/vein labels, optic disc, fovea and laterality.
import { openModel } from '../ml/model/model-loader.js';
import { segmentImage, shareFrameMask, type Segmentation } from '../ml/infer.js';
import {
  analyseAnatomy,
  closeAnatomyModels,
  discJson,
  openAnatomyModels,
  type AnatomyModels,
} from '../ml/anatomy/anatomy-models.js';
import type { RasterImage } from '../ml/types.js';
import { photographQuality } from '../ml/measure/photograph-quality.js';
import { findAnatomyDirs, withActiveAnatomy, type AnatomyDirs } from './anatomy-dirs.js';
import {
  getImage,
  imagesPredictedByJob,
  loadFov,
  loadImageRaster,
  saveMaskVersion,
  type Store,
} from '../store/index.js';
import type { JobHooks } from './job-types.js';
import { skippedImage, type PredictOutcome, type SkippedImage } from './predict-outcome.js';

export interface PredictJobInput {
  imageIds: number[];
  modelId: number;
  modelDir: string;
  threads: number;
  author: string;
  /**
   * Anatomy model directories; null: none; absent: RETINA_ANATOMY_MODELS's or the bundled ones, when present. The
   * store's active model of a task replaces that task's either way.
   */
  anatomy?: AnatomyDirs | null;
  /** A team job's id: its predictions are saved once per image, and a retry skips the images saved before. */
  jobId?: string | null;
}

/** The anatomy of a prediction, labelled on the very mask the store keeps (the quantised one). */
async function anatomyOf(
  raster: RasterImage,
  seg: Segmentation,
  mask: Uint8Array,
  models: AnatomyModels | null,
): Promise<{
  av: Uint8Array;
  artery: Float32Array;
  record: ReturnType<typeof discJson>;
  warnings: string[];
} | null> {
  // The networks work in the vessel model's canonical frame: a model without one gets no anatomy.
  if (!models || !seg.frame) return null;
  shareFrameMask(seg, mask);
  const a = await analyseAnatomy(raster, { ...seg, mask }, models);
  return {
    av: a.arteryVein.labels,
    artery: a.arteryVein.artery,
    record: discJson(a.disc),
    // The artery/vein labels' only: the disc's are the measures' notes (a disc cut off by the field's edge).
    warnings: a.arteryVein.warnings,
  };
}

/**
 * Quantises probabilities to the 8 bits the store keeps and thresholds those, exactly as the renderer's
 * `thresholdProbabilities` does on the 16-bit transport values (v16 = 257 * v8 >= ceil(t * 65535)), so the
 * stored prediction mask equals what the viewer shows at the same threshold.
 */
export function quantisePrediction(
  prob: Float32Array,
  threshold: number,
): { prob8: Uint8Array; mask: Uint8Array } {
  const prob8 = new Uint8Array(prob.length);
  const mask = new Uint8Array(prob.length);
  const cut = Math.ceil(threshold * 65535);
  for (let i = 0; i < prob.length; i++) {
    const v = Math.round(Math.min(1, Math.max(0, prob[i])) * 255);
    prob8[i] = v;
    mask[i] = v * 257 >= cut ? 1 : 0;
  }
  return { prob8, mask };
}

export async function runPredictJob(
  store: Store,
  input: PredictJobInput,
  hooks: JobHooks,
): Promise<PredictOutcome> {
  const total = input.imageIds.length;
  hooks.progress(0, total, 'loading the model', null);
  const model = await openModel(input.modelDir, { engine: 'onnx', threads: input.threads });
  const anatomyDirs = withActiveAnatomy(
    store,
    input.anatomy === undefined ? findAnatomyDirs() : input.anatomy,
  );
  let anatomy: AnatomyModels | null = null;
  let anatomyNote: string | null = null;
  if (anatomyDirs) {
    try {
      anatomy = await openAnatomyModels(anatomyDirs, { engine: 'onnx', threads: input.threads });
    } catch (err) {
      // The vessel masks matter more than their anatomy: predict without it and say why.
      anatomyNote = `no artery/vein map: ${(err as Error).message.split('\n')[0]}`;
    }
  }
  const done: number[] = [];
  const skipped: SkippedImage[] = [];
  const jobId = input.jobId ?? null;
  const earlier = new Set(jobId ? imagesPredictedByJob(store, jobId) : []);
  try {
    for (const imageId of input.imageIds) {
      if (hooks.isCancelled()) break;
      if (earlier.has(imageId)) {
        done.push(imageId);
        hooks.progress(
          done.length + skipped.length,
          total,
          `image ${imageId}: predicted by an earlier attempt`,
          null,
        );
        continue;
      }
      const record = getImage(store, imageId);
      let raster: RasterImage;
      let fov: Awaited<ReturnType<typeof loadFov>>;
      try {
        raster = await loadImageRaster(store, record);
        fov = await loadFov(store, record);
      } catch (err) {
        // One damaged or missing photograph costs that image its prediction, not the rest of the batch (as an
        // import skips a bad file); the job's outcome lists it with the reason.
        const skip = skippedImage(imageId, record.fileName, err);
        skipped.push(skip);
        hooks.progress(done.length + skipped.length, total, `${skip.file}: skipped, ${skip.reason}`, null);
        continue;
      }
      // A model with an uncertainty head also says where its mask is likely wrong (no extra network passes when
      // it uses test-time flips, as the bundled one does).
      const seg = await segmentImage(raster, model.manifest, model.predictor, {
        fov,
        uncertainty: model.manifest.uncertainty !== undefined,
      });
      const { prob8, mask } = quantisePrediction(seg.prob, seg.threshold);
      let anat: Awaited<ReturnType<typeof anatomyOf>> = null;
      let anatomyFailed: string | null = null;
      try {
        anat = await anatomyOf(raster, seg, mask, anatomy);
      } catch (err) {
        // One image's anatomy failing costs that image its artery/vein map, not its vessel mask or the batch.
        anatomyFailed = `no artery/vein map: ${(err as Error).message.split('\n')[0]}`;
      }
      await saveMaskVersion(store, {
        imageId,
        kind: 'prediction',
        author: input.author,
        mask: { width: seg.width, height: seg.height, data: mask },
        modelId: input.modelId,
        probability: prob8,
        threshold: seg.threshold,
        uncertainty: seg.uncertainty
          ? {
              map: seg.uncertainty.map,
              quality: {
                expectedF1: seg.uncertainty.expectedF1,
                meanUncertainty: seg.uncertainty.meanUncertainty,
                fragments: seg.uncertainty.fragments,
                gaps: seg.uncertainty.gaps,
              },
            }
          : null,
        // Only here are the photograph's pixels and its segmentation both at hand: the measures judge it later,
        // from the stored masks, by this evidence (the same `retina measure` judges by).
        photograph: photographQuality(raster, seg),
        av: anat?.av ?? null,
        anatomy: anat?.record ?? null,
        // Kept for the measurements' intervals: how sure the classifier was of each vessel's label.
        arteryProbability: anat?.artery ?? null,
        jobId,
      });
      done.push(imageId);
      const warnings = [
        ...seg.warnings,
        ...(anat?.warnings ?? []),
        ...[anatomyNote, anatomyFailed].filter((w) => w !== null),
      ];
      const note = warnings.length ? `${record.fileName}: ${warnings.join('; ')}` : record.fileName;
      hooks.progress(done.length + skipped.length, total, note, imageId);
    }
  } finally {
    await model.predictor.dispose();
    if (anatomy) await closeAnatomyModels(anatomy);
  }
  return { predicted: done, skipped };
}
