// Batch prediction, run inside a job worker (and by the retrain worker's re-prediction after a promotion): one
// ONNX Runtime session for the whole batch; each image is saved as a 'prediction' mask version with its
// probability map, then reported.
import { openModel } from '../ml/model/model-loader.js';
import { segmentImage } from '../ml/infer.js';
import { getImage, loadFov, loadImageRaster, saveMaskVersion, type Store } from '../store/index.js';
import type { JobHooks } from './job-types.js';

export interface PredictJobInput {
  imageIds: number[];
  modelId: number;
  modelDir: string;
  threads: number;
  author: string;
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
): Promise<number[]> {
  const total = input.imageIds.length;
  hooks.progress(0, total, 'loading the model', null);
  const model = await openModel(input.modelDir, { engine: 'onnx', threads: input.threads });
  const done: number[] = [];
  try {
    for (const imageId of input.imageIds) {
      if (hooks.isCancelled()) break;
      const record = getImage(store, imageId);
      const raster = await loadImageRaster(store, record);
      const fov = await loadFov(store, record);
      // A model with an uncertainty head also says where its mask is likely wrong (no extra network passes when
      // it uses test-time flips, as the bundled one does).
      const seg = await segmentImage(raster, model.manifest, model.predictor, {
        fov,
        uncertainty: model.manifest.uncertainty !== undefined,
      });
      const { prob8, mask } = quantisePrediction(seg.prob, seg.threshold);
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
      });
      done.push(imageId);
      const note = seg.warnings.length ? `${record.fileName}: ${seg.warnings.join('; ')}` : record.fileName;
      hooks.progress(done.length, total, note, imageId);
    }
  } finally {
    await model.predictor.dispose();
  }
  return done;
}
