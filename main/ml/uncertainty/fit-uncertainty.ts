// Fits a model's uncertainty head and its probability's temperature on labelled images the model was not trained
// on (its validation images), on each image's own grid (features scaled to canonical units), and measures them.
import type { LoadedSample, ModelManifest, ModelUncertainty, Predictor } from '../types.js';
import { segmentImage } from '../infer.js';
import { errorFeatures } from './error-features.js';
import { applyHead, concatSamples, fitHead, samplePixels, type PixelSamples } from './error-head.js';
import { applyTemperature, fitTemperature, reliability } from './calibration.js';
import { aucRocFromTable, scoreTable } from '../eval/metrics.js';

/** Field pixels per image that train the head (neighbours are nearly copies of each other). */
const SAMPLES_PER_IMAGE = 120_000;
/** Every k-th field pixel enters the head's reliability diagram. */
const HEAD_STRIDE = 3;
const TEMPERATURE_STRIDE = 7;

interface ImageFit {
  samples: PixelSamples;
  /** Sub-sampled (p, vessel) pairs for the temperature. */
  p: number[];
  vessel: number[];
  /** Full maps for the measurements after fitting. */
  maps: ReturnType<typeof errorFeatures>;
  wrong: Uint8Array;
  fov: Uint8Array;
  mean: Float32Array;
}

async function collect(
  sample: LoadedSample,
  manifest: ModelManifest,
  predictor: Predictor,
): Promise<ImageFit> {
  if (!sample.mask) throw new Error(`${sample.id}: no reference mask to fit the uncertainty on`);
  // On the image's own grid, as it will be applied: the errors that count are those of the mask as written.
  const { uncertainty: _, ...bare } = manifest;
  const seg = await segmentImage(sample.image, bare, predictor, { fov: sample.fov, uncertainty: true });
  const spread = seg.spread;
  if (!spread) {
    throw new Error(
      `${sample.id}: beyond 2.5 MP the head is applied on a coarser grid; fit it on images up to that size`,
    );
  }
  const maps = errorFeatures(seg.prob, spread.map, seg.width, seg.height, manifest.threshold, spread.scale);
  const n = seg.prob.length;
  const fov = sample.fov.data;
  const wrong = new Uint8Array(n);
  const p: number[] = [];
  const vessel: number[] = [];
  let inside = 0;
  for (let i = 0; i < n; i++) {
    if (!fov[i]) continue;
    inside++;
    const truth = sample.mask.data[i] ? 1 : 0;
    wrong[i] = seg.mask[i] !== truth ? 1 : 0;
    if (i % TEMPERATURE_STRIDE === 0) {
      p.push(seg.prob[i]);
      vessel.push(truth);
    }
  }
  // About the same number of samples from every image, whatever its size, so no camera dominates the fit.
  const stride = Math.max(1, Math.round(inside / SAMPLES_PER_IMAGE));
  return { samples: samplePixels(maps, wrong, fov, stride), p, vessel, maps, wrong, fov, mean: seg.prob };
}

/** Pooled AUROC of per-pixel scores against the mask's errors over several images. */
export function pooledAuroc(parts: { score: Float32Array; wrong: Uint8Array; fov: Uint8Array }[]): number {
  const total = parts.reduce((s, q) => s + q.score.length, 0);
  const score = new Float32Array(total);
  const wrong = new Uint8Array(total);
  const fov = new Uint8Array(total);
  let at = 0;
  for (const q of parts) {
    score.set(q.score, at);
    wrong.set(q.wrong, at);
    fov.set(q.fov, at);
    at += q.score.length;
  }
  return aucRocFromTable(scoreTable(score, wrong, fov));
}

/** p(1 - p), scaled to [0, 1]: the trivial uncertainty the head has to beat. */
export function binaryEntropyProxy(mean: Float32Array): Float32Array {
  return Float32Array.from(mean, (p) => 4 * p * (1 - p));
}

export async function fitUncertainty(
  samples: AsyncIterable<LoadedSample> | Iterable<Promise<LoadedSample>>,
  manifest: ModelManifest,
  predictor: Predictor,
  onImage?: (id: string) => void,
): Promise<ModelUncertainty> {
  const fits: ImageFit[] = [];
  const ids: string[] = [];
  for await (const sample of samples) {
    fits.push(await collect(sample, manifest, predictor));
    ids.push(sample.id);
    onImage?.(sample.id);
  }
  if (fits.length === 0) throw new Error('no labelled validation images to fit the uncertainty on');
  const head = fitHead(concatSamples(fits.map((f) => f.samples)));
  const p = fits.flatMap((f) => f.p);
  const vessel = fits.flatMap((f) => f.vessel);
  const temperature = fitTemperature(p, vessel);
  const headScores = fits.map((f) => ({ score: applyHead(head, f.maps, f.fov), wrong: f.wrong, fov: f.fov }));
  const u: number[] = [];
  const wrongs: number[] = [];
  headScores.forEach((h) => {
    for (let i = 0; i < h.score.length; i += HEAD_STRIDE) {
      if (!h.fov[i]) continue;
      u.push(h.score[i]);
      wrongs.push(h.wrong[i]);
    }
  });
  return {
    head,
    temperature,
    fittedOn: ids,
    validation: {
      auroc: pooledAuroc(headScores),
      baselineAuroc: pooledAuroc(
        fits.map((f) => ({ score: binaryEntropyProxy(f.mean), wrong: f.wrong, fov: f.fov })),
      ),
      probability: reliability(p, vessel),
      calibrated: reliability(
        p.map((q) => applyTemperature(q, temperature)),
        vessel,
      ),
      head: reliability(u, wrongs),
    },
  };
}
