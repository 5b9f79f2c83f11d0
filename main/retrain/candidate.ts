// Steps 2 and 3 of a retrain: write the snapshot as a temporary training set, fine-tune the active model on it
// into a new model directory, and register the result as a candidate with its lineage and the exact mask
// versions it learnt from. The candidate is not active: only the promotion step changes that.
import { trainingSetPrefix } from './leftovers.js';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { trainModel, type TrainResult } from '../ml/train/training-run.js';
import { readManifest, writeManifest } from '../ml/model/model-dir.js';
import type { ModelManifest } from '../ml/types.js';
import {
  findModelByName,
  makeSideDir,
  getImage,
  registerModel,
  type ModelRecord,
  type Store,
  type TrainedOnEntry,
} from '../store/index.js';
import { throwIfCancelled } from './errors.js';
import type { RetrainPlan } from './plan.js';
import type { ProgressTracker } from './progress.js';
import { lineage, type RetrainSnapshot } from './snapshot.js';
import { TempNames } from './temp-names.js';
import { writeTrainingSet } from './training-set.js';

/** Where the candidate goes: `<root model>+r<run id>` (made unique), in its own directory. */
export interface CandidatePlace {
  name: string;
  modelsDir: string;
  dir: string;
}

export interface TrainedCandidate extends TrainResult {
  trainSeconds: number;
}

function uniqueName(store: Store, wanted: string): string {
  let name = wanted;
  for (let n = 2; findModelByName(store, name); n++) name = `${wanted}-${n}`;
  return name;
}

function safeDirName(name: string): string {
  return name.replace(/[^\w.+-]/g, '_');
}

export function candidatePlace(
  store: Store,
  base: ModelRecord,
  runId: number,
  modelsDir = store.beside('models'),
): CandidatePlace {
  const rootName = lineage(store, base.id).at(-1)?.name ?? base.name;
  const name = uniqueName(store, `${rootName}+r${runId}`);
  return { name, modelsDir, dir: join(modelsDir, safeDirName(name)) };
}

/** Fine-tunes the candidate; the temporary training set is gone when this returns or throws. */
export async function trainCandidate(
  store: Store,
  plan: RetrainPlan,
  place: CandidatePlace,
  opts: { runId: number; workers?: number; signal?: AbortSignal; tracker: ProgressTracker },
): Promise<TrainedCandidate> {
  // Named by run and process, so closeInterruptedRuns can remove it when this process is killed.
  const tmp = await mkdtemp(join(tmpdir(), trainingSetPrefix(opts.runId, process.pid)));
  const names = new TempNames();
  try {
    const set = await writeTrainingSet(store, plan.snapshot, tmp, names);
    throwIfCancelled(opts.signal);
    if (place.modelsDir === store.beside('models')) await makeSideDir(store, 'models');
    else await mkdir(place.modelsDir, { recursive: true });
    const trainStart = Date.now();
    const trained = await trainModel({
      dataset: set.dataset,
      config: plan.config,
      out: place.dir,
      name: place.name,
      workers: opts.workers,
      evaluateTest: false,
      exportOnnx: true,
      signal: opts.signal,
      onEvent: (e) => opts.tracker.onTrain(e),
      initialModelDir: plan.base.dirPath,
      validationIds: set.validationIds,
      sampleGroups: set.sampleGroups,
      parentModel: plan.base.name,
    });
    const trainSeconds = (Date.now() - trainStart) / 1000;
    throwIfCancelled(opts.signal);
    const inherited = await inheritUncertainty(plan.base.dirPath, trained.modelDir, trained.manifest);
    const manifest = await studyProvenance(store, trained.modelDir, inherited);
    return { ...trained, manifest, trainSeconds };
  } catch (err) {
    throw names.explain(err);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** A store image as a retrained model's provenance names it: by dataset and sample, else by its file's stem. */
export function storeSampleName(store: Store, imageId: number): string {
  const image = getImage(store, imageId);
  return `${image.dataset ?? 'study'}/${image.datasetSampleId ?? image.fileName.replace(/\.[^.]+$/, '')}`;
}

/**
 * The provenance of a model retrained on a study, as a reader can use it: the training set's temporary folder and
 * its `img<id>` names meant nothing once it was gone, and a model card could not see that a test image it scores
 * had been trained on. Store images are named by their dataset and sample (`DRIVE/02_test`), else by their file's
 * stem; replayed dataset samples by dataset and id.
 */
export async function studyProvenance(
  store: Store,
  modelDir: string,
  manifest: ModelManifest,
): Promise<ModelManifest> {
  const name = (id: string): string => {
    const imageId = /^img(\d+)$/.exec(id)?.[1];
    if (imageId === undefined) return id.replace(/^([^-]+)-/, '$1/');
    return storeSampleName(store, Number(imageId));
  };
  const p = manifest.provenance;
  // The training set's own photographs are renamed; the parent's fingerprints carried over keep their names.
  const own = new Set([...p.trainIds, ...p.validationIds]);
  const prints = Object.entries(manifest.sampleFingerprints ?? {});
  const named: ModelManifest = {
    ...manifest,
    ...(prints.length > 0
      ? { sampleFingerprints: Object.fromEntries(prints.map(([k, v]) => [own.has(k) ? name(k) : k, v])) }
      : {}),
    provenance: {
      ...p,
      dataset: `study ${basename(store.path)}`,
      datasetKind: 'study',
      trainIds: p.trainIds.map(name),
      validationIds: p.validationIds.map(name),
    },
  };
  await writeManifest(modelDir, named);
  return named;
}

/**
 * A fine-tuned model keeps its parent's uncertainty head: the head reads the network's output, not its weights,
 * and the few corrected images a retrain sees are too few to fit a new one on.
 */
export async function inheritUncertainty(
  parentDir: string,
  modelDir: string,
  manifest: ModelManifest,
): Promise<ModelManifest> {
  const parent = await readManifest(parentDir);
  if (!parent.uncertainty) return manifest;
  const inherited: ModelManifest = {
    ...manifest,
    uncertainty: { ...parent.uncertainty, inheritedFrom: parent.uncertainty.inheritedFrom ?? parent.name },
  };
  await writeManifest(modelDir, inherited);
  return inherited;
}

function trainedOn(snapshot: RetrainSnapshot): TrainedOnEntry[] {
  return [
    ...snapshot.train.map((e) => ({ maskVersionId: e.maskVersionId, role: 'train' as const })),
    ...snapshot.replay.store.map((e) => ({ maskVersionId: e.maskVersionId, role: 'train' as const })),
    ...snapshot.validation.map((e) => ({ maskVersionId: e.maskVersionId, role: 'validation' as const })),
  ];
}

export function registerCandidate(
  store: Store,
  plan: RetrainPlan,
  place: CandidatePlace,
  trained: TrainedCandidate,
  runId: number,
  actor: string,
): ModelRecord {
  return registerModel(
    store,
    {
      name: place.name,
      dirPath: trained.modelDir,
      architecture: trained.manifest.architecture,
      parentModelId: plan.base.id,
      trainingRunId: runId,
      trainedOn: trainedOn(plan.snapshot),
    },
    actor,
  );
}
