// Scores a model on a dataset split under both protocols (inside the FOV, and over all pixels), per image and
// pooled over the split as the literature reports, with the second human observer scored the same way.
import type {
  BinaryMap,
  DatasetRef,
  LoadedSample,
  Metrics,
  ModelManifest,
  Predictor,
  Protocol,
  SplitName,
} from '../types.js';
import { planAxis, resample } from '../frame/resample.js';
import { loadSample, loadSecondObserver } from '../data/datasets.js';
import { MetricsAccumulator, computeMetrics, summarise, type MetricsSummary } from './metrics.js';
import { segmentImage, type SegmentOptions } from '../infer.js';
import { prCurve, rocCurve, type PrPoint, type RocPoint } from './curves.js';

export interface ImageEvaluation {
  id: string;
  seconds: number;
  fovDerived: boolean;
  metrics: Record<Protocol, Metrics>;
}

export interface ProtocolReport {
  /** All pixels of all images counted together. */
  pooled: Metrics;
  /** Pooled ROC and precision-recall curves (downsampled, for plots). */
  curves: { roc: RocPoint[]; pr: PrPoint[] };
  /** Mean and standard deviation of the per-image values. */
  perImageMean: MetricsSummary;
}

export interface EvaluationReport {
  model: string;
  dataset: string;
  datasetKind: string;
  split: SplitName;
  engine: string;
  threshold: number;
  images: number;
  protocols: Record<Protocol, ProtocolReport>;
  perImage: ImageEvaluation[];
  /** The second human observer against the ground truth, where the dataset has one. */
  secondObserver?: {
    images: number;
    protocols: Record<Protocol, ProtocolReport>;
    perImage: ImageEvaluation[];
  };
  secondsPerImage: number;
  /** Scored images the model trained or validated on (`retina evaluate` sets it when there are any). */
  notHeldOut?: { trained: string[]; validated: string[] };
}

export interface EvaluateOptions extends SegmentOptions {
  onImage?: (done: number, total: number, id: string) => void;
  /** Keep each image's probability map in the callback (plots, cards). */
  onPrediction?: (id: string, prob: Float32Array, truth: Uint8Array, fov: Uint8Array) => void;
  /** Resize every image, its labels and FOV by this factor first (scale robustness; no second observer then). */
  resizeFactor?: number;
}

const PROTOCOLS: Protocol[] = ['fov', 'all'];

function protocolReports(
  acc: Record<Protocol, MetricsAccumulator>,
  perImage: ImageEvaluation[],
  threshold: number,
) {
  const out = {} as Record<Protocol, ProtocolReport>;
  for (const p of PROTOCOLS) {
    out[p] = {
      pooled: acc[p].result(threshold, p),
      curves: { roc: rocCurve(acc[p], 128), pr: prCurve(acc[p], 128) },
      perImageMean: summarise(perImage.map((e) => e.metrics[p])),
    };
  }
  return out;
}

/** A sample resized by `factor`: the photograph linearly, labels and FOV by area coverage above one half. */
export function resizeSample(s: LoadedSample, factor: number): LoadedSample {
  const w = Math.round(s.image.width * factor);
  const h = Math.round(s.image.height * factor);
  const px = planAxis(s.image.width, w, 0, s.image.width / w);
  const py = planAxis(s.image.height, h, 0, s.image.height / h);
  const img = resample(s.image.data, s.image.width, s.image.height, s.image.channels, px, py);
  const map = (m: BinaryMap): BinaryMap => ({
    width: w,
    height: h,
    data: Uint8Array.from(resample(m.data, m.width, m.height, 1, px, py), (v) => (v >= 0.5 ? 1 : 0)),
  });
  return {
    ...s,
    image: {
      ...s.image,
      width: w,
      height: h,
      data:
        s.image.bitDepth === 16
          ? Uint16Array.from(img, (v) => Math.round(v))
          : Uint8Array.from(img, (v) => Math.round(v)),
    },
    mask: s.mask ? map(s.mask) : null,
    fov: map(s.fov),
  };
}

export async function evaluateModel(
  manifest: ModelManifest,
  predictor: Predictor,
  dataset: DatasetRef,
  split: SplitName,
  opts: EvaluateOptions = {},
): Promise<EvaluationReport> {
  const refs = dataset.splits[split].filter((r) => r.maskPath);
  if (refs.length === 0) throw new Error(`${dataset.root}: split '${split}' has no images with ground truth`);
  const threshold = opts.threshold ?? manifest.threshold;
  const acc = { fov: new MetricsAccumulator(), all: new MetricsAccumulator() };
  const accHuman = { fov: new MetricsAccumulator(), all: new MetricsAccumulator() };
  const perImage: ImageEvaluation[] = [];
  const humanPerImage: ImageEvaluation[] = [];
  let totalSeconds = 0;
  for (const [i, ref] of refs.entries()) {
    const sample = opts.resizeFactor
      ? resizeSample(await loadSample(ref), opts.resizeFactor)
      : await loadSample(ref);
    const truth = sample.mask!.data;
    const started = performance.now();
    const seg = await segmentImage(sample.image, manifest, predictor, {
      ...opts,
      fov: sample.fov,
      threshold,
    });
    const seconds = (performance.now() - started) / 1000;
    totalSeconds += seconds;
    acc.fov.add(seg.prob, truth, sample.fov.data);
    acc.all.add(seg.prob, truth, null);
    perImage.push({
      id: ref.id,
      seconds,
      fovDerived: sample.fovDerived,
      metrics: {
        fov: computeMetrics(seg.prob, truth, sample.fov.data, threshold, 'fov'),
        all: computeMetrics(seg.prob, truth, null, threshold, 'all'),
      },
    });
    opts.onPrediction?.(ref.id, seg.prob, truth, sample.fov.data);
    const human = opts.resizeFactor ? null : await loadSecondObserver(ref, sample.image);
    if (human) {
      const score = Float32Array.from(human.data);
      accHuman.fov.add(score, truth, sample.fov.data);
      accHuman.all.add(score, truth, null);
      humanPerImage.push({
        id: ref.id,
        seconds: 0,
        fovDerived: sample.fovDerived,
        metrics: {
          fov: computeMetrics(score, truth, sample.fov.data, 0.5, 'fov'),
          all: computeMetrics(score, truth, null, 0.5, 'all'),
        },
      });
    }
    opts.onImage?.(i + 1, refs.length, ref.id);
  }
  const report: EvaluationReport = {
    model: manifest.name,
    dataset: dataset.root,
    datasetKind: dataset.kind,
    split,
    engine: predictor.engine,
    threshold,
    images: refs.length,
    protocols: protocolReports(acc, perImage, threshold),
    perImage,
    secondsPerImage: totalSeconds / refs.length,
  };
  if (humanPerImage.length > 0) {
    report.secondObserver = {
      images: humanPerImage.length,
      protocols: protocolReports(accHuman, humanPerImage, 0.5),
      perImage: humanPerImage,
    };
  }
  return report;
}
