// Measures the uncertainty map and the expected F1 on labelled images, as issue 14's goals read: the map against
// the pixels where the mask as written disagrees with the reference (inside the FOV), pooled over the images, and
// the expected F1 against each image's true F1.
import type { LoadedSample, ModelManifest, Predictor } from '../types.js';
import { segmentImage } from '../infer.js';
import { binaryEntropyProxy, pooledAuroc } from './fit-uncertainty.js';
import { reliability, type Reliability } from './calibration.js';

export interface UncertaintyImage {
  id: string;
  f1: number;
  expectedF1: number;
  meanUncertainty: number;
  fragments: number;
  gaps: number;
}

export interface UncertaintyReport {
  images: number;
  /** Pooled AUROC of the uncertainty map against the mask's errors, and of p(1-p) on the same pixels. */
  auroc: number;
  baselineAuroc: number;
  /** Mean |expected F1 - F1| over the images, and the mean signed difference. */
  expectedF1Mae: number;
  expectedF1Bias: number;
  /** The map read as the probability of an error, against the errors. */
  reliability: Reliability;
  perImage: UncertaintyImage[];
}

/** Every k-th pixel enters the reliability diagram (it needs proportions, not every pixel). */
const RELIABILITY_STRIDE = 5;

export async function evaluateUncertainty(
  samples: Iterable<Promise<LoadedSample>>,
  manifest: ModelManifest,
  predictor: Predictor,
  onImage?: (id: string) => void,
): Promise<UncertaintyReport> {
  const u: Float32Array[] = [];
  const base: Float32Array[] = [];
  const wrong: Uint8Array[] = [];
  const fov: Uint8Array[] = [];
  const perImage: UncertaintyImage[] = [];
  const relP: number[] = [];
  const relY: number[] = [];
  for await (const s of samples) {
    if (!s.mask) throw new Error(`${s.id}: no reference mask`);
    const seg = await segmentImage(s.image, manifest, predictor, { fov: s.fov, uncertainty: true });
    const q = seg.uncertainty!;
    const w = new Uint8Array(seg.mask.length);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < w.length; i++) {
      if (!s.fov.data[i]) continue;
      const truth = s.mask.data[i] ? 1 : 0;
      w[i] = seg.mask[i] !== truth ? 1 : 0;
      if (seg.mask[i] && truth) tp++;
      else if (seg.mask[i]) fp++;
      else if (truth) fn++;
      if (i % RELIABILITY_STRIDE === 0) {
        relP.push(q.map[i]);
        relY.push(w[i]);
      }
    }
    u.push(q.map);
    base.push(binaryEntropyProxy(seg.prob));
    wrong.push(w);
    fov.push(s.fov.data);
    perImage.push({
      id: s.id,
      f1: (2 * tp) / Math.max(1, 2 * tp + fp + fn),
      expectedF1: q.expectedF1,
      meanUncertainty: q.meanUncertainty,
      fragments: q.fragments,
      gaps: q.gaps.length,
    });
    onImage?.(s.id);
  }
  const pooled = (maps: Float32Array[]) =>
    pooledAuroc(maps.map((score, k) => ({ score, wrong: wrong[k], fov: fov[k] })));
  const diffs = perImage.map((r) => r.expectedF1 - r.f1);
  return {
    images: perImage.length,
    auroc: pooled(u),
    baselineAuroc: pooled(base),
    expectedF1Mae: diffs.reduce((a, d) => a + Math.abs(d), 0) / Math.max(1, diffs.length),
    expectedF1Bias: diffs.reduce((a, d) => a + d, 0) / Math.max(1, diffs.length),
    reliability: reliability(relP, relY),
    perImage,
  };
}
