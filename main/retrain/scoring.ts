// Step 4 of a retrain: score the candidate and the active model on the same held-out images (per image and
// pooled, with difference overlays of the most changed ones) and, when configured, on a fixed benchmark.
import { openDataset } from '../ml/data/datasets.js';
import { evaluateModel } from '../ml/eval/evaluate.js';
import { openModel, type LoadedModel } from '../ml/model/model-loader.js';
import { compareModels, type HeldOutSample, type ModelComparison } from './fine-tune.js';
import type { RetrainSettings } from './settings.js';
import { getImage, getMaskVersion, loadFov, loadImageRaster, loadMask, type Store } from '../store/index.js';
import { OverlayKeeper } from './artifacts.js';
import { throwIfCancelled } from './errors.js';
import type { BenchmarkScores, HeldOutImageReport } from './outcome.js';
import type { RetrainPlan } from './plan.js';
import type { ProgressTracker } from './progress.js';
import type { RetrainSnapshot } from './snapshot.js';
import { judgedBy } from './held-out-groups.js';

export interface Scores {
  comparison: ModelComparison;
  images: HeldOutImageReport[];
  benchmark: BenchmarkScores | null;
}

export interface ScoringOptions {
  runId: number;
  /** ONNX Runtime threads per model. */
  threads: number;
  signal?: AbortSignal;
  tracker: ProgressTracker;
}

async function* heldOutSamples(store: Store, snapshot: RetrainSnapshot): AsyncGenerator<HeldOutSample> {
  for (const h of snapshot.heldOut) {
    const image = getImage(store, h.imageId);
    const truth = await loadMask(store, getMaskVersion(store, h.maskVersionId));
    yield {
      id: String(h.imageId),
      image: await loadImageRaster(store, image),
      truth: truth.data,
      fov: await loadFov(store, image),
    };
  }
}

async function closeModel(m: LoadedModel | null): Promise<void> {
  if (m) await m.predictor.dispose();
}

async function scoreHeldOut(
  store: Store,
  snapshot: RetrainSnapshot,
  cand: LoadedModel,
  act: LoadedModel,
  opts: ScoringOptions,
): Promise<Pick<Scores, 'comparison' | 'images'>> {
  const overlays = new OverlayKeeper(store, opts.runId);
  const judged = judgedBy(snapshot);
  const comparison = await compareModels(
    heldOutSamples(store, snapshot),
    snapshot.heldOut.length,
    cand,
    act,
    {
      shouldStop: () => opts.signal?.aborted === true,
      onImage: (done, total) => opts.tracker.update({ message: `held-out image ${done}/${total}` }),
      onMasks: (s, c, a) => overlays.add(s, c, a),
      // The pooled scores stored and shown are the judged images' (an image the lineage learnt is shown, not counted).
      pools: (id) => judged(Number(id)),
    },
  );
  const withOverlay = overlays.kept();
  const images = comparison.images.map((im, i) => ({
    imageId: Number(im.id),
    fileName: getImage(store, Number(im.id)).fileName,
    maskVersionId: snapshot.heldOut[i].maskVersionId,
    candidate: im.candidate,
    active: im.active,
    deltaF1: im.deltaF1,
    changedPixels: im.changedPixels,
    overlay: withOverlay.has(Number(im.id)),
    usable: judged(Number(im.id)),
  }));
  return { comparison, images };
}

async function scoreBenchmark(
  benchmark: NonNullable<RetrainSettings['benchmark']>,
  cand: LoadedModel,
  act: LoadedModel,
  opts: ScoringOptions,
): Promise<BenchmarkScores> {
  opts.tracker.update({ message: `scoring both models on the benchmark ${benchmark.path}` });
  const ds = openDataset(benchmark.path);
  const rc = await evaluateModel(cand.manifest, cand.predictor, ds, benchmark.split);
  throwIfCancelled(opts.signal);
  const ra = await evaluateModel(act.manifest, act.predictor, ds, benchmark.split);
  return {
    path: ds.root,
    split: benchmark.split,
    images: rc.images,
    candidate: rc.protocols.fov.pooled,
    active: ra.protocols.fov.pooled,
  };
}

/** Both models are open only inside this step. */
export async function scoreModels(
  store: Store,
  plan: RetrainPlan,
  candidateDir: string,
  opts: ScoringOptions,
): Promise<Scores> {
  opts.tracker.update({
    phase: 'evaluating',
    message: 'scoring both models on the held-out images',
    etaSeconds: null,
  });
  let cand: LoadedModel | null = null;
  let act: LoadedModel | null = null;
  let scores: Scores;
  try {
    cand = await openModel(candidateDir, { threads: opts.threads });
    act = await openModel(plan.base.dirPath, { threads: opts.threads });
    const heldOut = await scoreHeldOut(store, plan.snapshot, cand, act, opts);
    const benchmark = plan.settings.benchmark
      ? await scoreBenchmark(plan.settings.benchmark, cand, act, opts)
      : null;
    scores = { ...heldOut, benchmark };
  } finally {
    await closeModel(cand);
    await closeModel(act);
  }
  throwIfCancelled(opts.signal);
  return scores;
}
