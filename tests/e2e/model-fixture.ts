// A tiny model directory for tests that need one before the bundled default model exists: a depth-2 U-Net with
// seeded random weights, its tfjs weights, and its ONNX export. Its threshold is set at the 88th percentile of its
// own probabilities inside the FOV of DRIVE test image 01, so its masks cover a vessel-like share of the image
// (random weights: the masks are not vessels, but every pipeline step downstream is real). Built once per
// machine and cached under the temp folder, keyed by the exporter version.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initTf } from '../../main/ml/tf.js';
import { buildUNet } from '../../main/ml/model/model.js';
import { exportToOnnx } from '../../main/ml/onnx/exporter.js';
import { EXPORTER_VERSION, ONNX_IR_VERSION, ONNX_OPSET } from '../../main/ml/onnx/metadata.js';
import { createOnnxPredictor } from '../../main/ml/onnx/predictor.js';
import { DEFAULT_PREPROCESS } from '../../main/ml/image/preprocess.js';
import { predictProbability } from '../../main/ml/infer.js';
import { preprocessImage } from '../../main/ml/image/preprocess.js';
import { readBinaryMap, readImage } from '../../main/ml/io/image-io.js';
import { MANIFEST_FILE, ONNX_FILE, TFJS_SUBDIR } from '../../main/ml/model/model-dir.js';
import type { LossName, ModelManifest, UNetConfig } from '../../main/ml/types.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const datasetsRoot = process.env.RETINA_DATASETS ?? path.resolve(repoRoot, '../shared/datasets');

export function driveTestImage(id: string): string {
  return path.join(datasetsRoot, 'DRIVE', 'test', 'images', `${id}_test.tif`);
}

const ARCH: UNetConfig = {
  kind: 'unet',
  inputChannels: 1,
  depth: 2,
  baseFilters: 4,
  convsPerLevel: 1,
  batchNorm: true,
  dropout: 0,
  upsampling: 'transpose',
  residual: false,
};

async function chooseThreshold(onnxPath: string): Promise<number> {
  const image = await readImage(driveTestImage('01'));
  const fov = await readBinaryMap(path.join(datasetsRoot, 'DRIVE', 'test', 'mask', '01_test_mask.gif'));
  const input = preprocessImage(image, fov, DEFAULT_PREPROCESS);
  const predictor = await createOnnxPredictor(onnxPath, { threads: 1 });
  try {
    const prob = await predictProbability(input, image.width, image.height, 2 ** ARCH.depth, predictor);
    const inside = prob.filter((_, i) => fov.data[i] === 1).sort();
    const t = inside[Math.floor(inside.length * 0.88)];
    // Keep it strictly inside (0, 1), as manifests require.
    return Math.min(0.999, Math.max(0.001, t));
  } finally {
    await predictor.dispose();
  }
}

/** Saves a network's tfjs topology and weights under `dir`/tfjs, as a model directory keeps them. */
async function saveTfjs(
  tf: Awaited<ReturnType<typeof initTf>>['tf'],
  model: ReturnType<typeof buildUNet>,
  dir: string,
): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const { weightData, ...topology } = artifacts;
      const weights = Array.isArray(weightData)
        ? Buffer.concat(weightData.map((b) => Buffer.from(b)))
        : Buffer.from(weightData ?? new ArrayBuffer(0));
      await writeFile(path.join(dir, TFJS_SUBDIR, 'weights.bin'), weights);
      await writeFile(
        path.join(dir, TFJS_SUBDIR, 'model.json'),
        JSON.stringify({
          modelTopology: topology.modelTopology,
          format: topology.format,
          generatedBy: topology.generatedBy,
          convertedBy: topology.convertedBy ?? null,
          weightsManifest: [{ paths: ['weights.bin'], weights: topology.weightSpecs }],
        }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** What sets one tiny network apart: the vessel model, or one of the anatomy models. */
interface TinyNetwork {
  name: string;
  architecture: UNetConfig;
  seed: number;
  loss: LossName;
  /** The manifest's threshold, chosen once the ONNX export is written there. */
  threshold: (onnxPath: string) => Promise<number>;
  anatomy?: ModelManifest['anatomy'];
  frame?: ModelManifest['frame'];
}

/** Builds `net` with seeded random weights and writes it to `dir` in the model directory format. */
async function writeTinyModel(dir: string, net: TinyNetwork): Promise<void> {
  const { tf } = await initTf('cpu');
  const model = buildUNet(net.architecture, net.seed);
  const onnx = exportToOnnx(model, {
    name: net.name,
    preprocess: DEFAULT_PREPROCESS,
    threshold: 0.5,
    provenance: { note: 'random weights, test fixture' },
    architecture: net.architecture,
    patchSize: 48,
  });
  await mkdir(path.join(dir, TFJS_SUBDIR), { recursive: true });
  await writeFile(path.join(dir, ONNX_FILE), onnx);
  await saveTfjs(tf, model, dir);
  model.dispose();
  // Fields left undefined (anatomy, frame for the vessel model) stay out of the JSON.
  const manifest: ModelManifest = {
    format: 'retinastudio-model',
    formatVersion: 1,
    name: net.name,
    createdAt: new Date().toISOString(),
    anatomy: net.anatomy,
    architecture: net.architecture,
    preprocess: DEFAULT_PREPROCESS,
    threshold: await net.threshold(path.join(dir, ONNX_FILE)),
    patchSize: 48,
    frame: net.frame,
    parameters: 0,
    provenance: {
      dataset: 'none (random weights)',
      datasetKind: 'generic',
      trainIds: [],
      validationIds: [],
      seed: net.seed,
      epochs: 0,
      patchesSeen: 0,
      durationSeconds: 0,
      backend: 'cpu',
      machine: 'test fixture',
      loss: net.loss,
      augment: null,
      validationCurve: [],
    },
    onnx: {
      file: ONNX_FILE,
      opset: ONNX_OPSET,
      irVersion: ONNX_IR_VERSION,
      exporterVersion: EXPORTER_VERSION,
    },
  };
  await writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}

/** Builds `dir` once, atomically, racing other test processes (the loser uses the winner's directory). */
async function cachedDir(dir: string, build: (tmp: string) => Promise<void>): Promise<string> {
  if (existsSync(path.join(dir, MANIFEST_FILE)) || existsSync(path.join(dir, 'optic-disc', MANIFEST_FILE))) {
    return dir;
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await build(tmp);
  try {
    await rename(tmp, dir);
  } catch {
    await rm(tmp, { recursive: true, force: true });
  }
  return dir;
}

/** Calls `make` once and hands every caller its promise: one build per test process. */
function once(make: () => Promise<string>): () => Promise<string> {
  let pending: Promise<string> | null = null;
  return () => (pending ??= make());
}

/** The cached tiny model directory (built on first use, atomically). */
export const tinyModelDir = once(() =>
  cachedDir(path.join(tmpdir(), `retina-e2e-tiny-model-${EXPORTER_VERSION}`), (tmp) =>
    writeTinyModel(tmp, {
      name: 'e2e-tiny',
      architecture: ARCH,
      seed: 11,
      loss: 'dice+bce',
      threshold: chooseThreshold,
    }),
  ),
);

/** Copies the tiny model to `tmp` under a new name, with `change` applied to its manifest. */
async function tinyModelVariant(tmp: string, name: string, change: Partial<ModelManifest>): Promise<void> {
  const base = await tinyModelDir();
  await cp(base, tmp, { recursive: true });
  const manifest = JSON.parse(await readFile(path.join(base, MANIFEST_FILE), 'utf8')) as ModelManifest;
  await writeFile(
    path.join(tmp, MANIFEST_FILE),
    JSON.stringify({ ...manifest, name, ...change }, null, 2) + '\n',
  );
}

/** The bundled default model's manifest, whose uncertainty head the tests borrow. */
export const defaultManifestPath = path.join(repoRoot, 'resources', 'models', 'default', MANIFEST_FILE);

const shortHash = (value: unknown): string =>
  createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 12);

/**
 * The tiny model with an uncertainty head: the bundled default model's (fitted by `retina calibrate`), copied from
 * its manifest, so predictions through `retina serve` store an uncertainty map, gaps and an expected F1. The head
 * reads features of the probability map, not the network's weights, so it runs on any model; on the tiny one its
 * numbers mean nothing, but every step that stores and shows them is real. Cached per head (by its hash).
 */
export const tinyUncertainModelDir = once(async () => {
  const bundled = JSON.parse(await readFile(defaultManifestPath, 'utf8')) as ModelManifest;
  if (!bundled.uncertainty) {
    throw new Error(
      `${defaultManifestPath} has no "uncertainty" field: the default model is not calibrated yet ` +
        '(run `retina calibrate` on it), so the uncertainty tests have no head to give the tiny model',
    );
  }
  const head = bundled.uncertainty;
  const dir = path.join(tmpdir(), `retina-e2e-tiny-uncertain-${EXPORTER_VERSION}-${shortHash(head)}`);
  return cachedDir(dir, (tmp) =>
    tinyModelVariant(tmp, 'e2e-tiny-uncertain', { uncertainty: { ...head, inheritedFrom: bundled.name } }),
  );
});

/** The frame the bundled default model works in: the anatomy networks need a vessel model with a frame. */
async function defaultFrame(): Promise<NonNullable<ModelManifest['frame']>> {
  const bundled = JSON.parse(await readFile(defaultManifestPath, 'utf8')) as ModelManifest;
  if (!bundled.frame) throw new Error(`${defaultManifestPath} has no "frame": the anatomy fixtures need one`);
  return bundled.frame;
}

/** The tiny model working in the default model's canonical frame, as the anatomy models require. */
export const tinyFramedModelDir = once(async () => {
  const frame = await defaultFrame();
  const dir = path.join(tmpdir(), `retina-e2e-tiny-framed-${EXPORTER_VERSION}-${shortHash(frame)}`);
  return cachedDir(dir, (tmp) => tinyModelVariant(tmp, 'e2e-tiny-framed', { frame }));
});

const ANATOMY_ARCH: UNetConfig = { ...ARCH, inputChannels: 3 };

/** One tiny anatomy network (seeded random weights) in the model directory format, with its ONNX export. */
function writeTinyAnatomyModel(
  dir: string,
  task: 'artery-vein' | 'optic-disc',
  seed: number,
  frame: NonNullable<ModelManifest['frame']>,
): Promise<void> {
  return writeTinyModel(dir, {
    name: `e2e-tiny-${task}`,
    architecture: ANATOMY_ARCH,
    seed,
    loss: 'bce',
    threshold: async () => 0.5,
    anatomy: { task, input: 'rgb-clahe', downsample: task === 'optic-disc' ? 2 : 1 },
    frame,
  });
}

/**
 * A folder of tiny anatomy models (artery-vein/ and optic-disc/, the layout RETINA_ANATOMY_MODELS names): random
 * weights, so their labels and disc mean nothing, but every step that stores, shows and corrects them is real.
 */
export const tinyAnatomyModelsDir = once(async () => {
  const frame = await defaultFrame();
  const dir = path.join(tmpdir(), `retina-e2e-tiny-anatomy-${EXPORTER_VERSION}-${shortHash(frame)}`);
  return cachedDir(dir, async (tmp) => {
    await writeTinyAnatomyModel(path.join(tmp, 'artery-vein'), 'artery-vein', 21, frame);
    await writeTinyAnatomyModel(path.join(tmp, 'optic-disc'), 'optic-disc', 22, frame);
  });
});

/**
 * The tiny artery/vein model beside the bundled optic-disc model: a random disc network finds no disc that passes
 * the disc search's plausibility checks (vessels converging, a disc's size), so tests that drag the disc marker or
 * plan flips around the disc need the real one (with the bundled vessel model, whose mask it reads).
 */
export const bundledDiscAnatomyModelsDir = once(async () => {
  const frame = await defaultFrame();
  const bundledDisc = path.join(repoRoot, 'resources', 'models', 'optic-disc');
  const key = shortHash({ frame, disc: await readFile(path.join(bundledDisc, MANIFEST_FILE), 'utf8') });
  const dir = path.join(tmpdir(), `retina-e2e-bundled-disc-${EXPORTER_VERSION}-${key}`);
  return cachedDir(dir, async (tmp) => {
    await writeTinyAnatomyModel(path.join(tmp, 'artery-vein'), 'artery-vein', 21, frame);
    await cp(bundledDisc, path.join(tmp, 'optic-disc'), { recursive: true });
  });
});

/** The bundled default vessel model's directory. */
export const bundledVesselModelDir = async (): Promise<string> =>
  path.join(repoRoot, 'resources', 'models', 'default');

/** A workstation whose predictions run the bundled vessel and optic-disc models and the tiny artery/vein model. */
export const bundledAnatomyWorkstation = {
  model: bundledVesselModelDir,
  env: async (): Promise<Record<string, string>> => ({
    RETINA_ANATOMY_MODELS: await bundledDiscAnatomyModelsDir(),
  }),
};
