// The model directory format: a manifest (retina-model.json) beside the tfjs weights and the ONNX export.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { FrameConfig, LossName, ModelManifest, UNetConfig } from '../types.js';
import { AugmentConfigError, validateAugmentConfig } from '../image/augment.js';
import { anatomyRecordProblem } from '../anatomy/anatomy-manifest.js';
import { writeFileAtomic } from '../../node/atomic-fs.js';
import { resourcesDir } from '../../node/package-root.js';
import { PreprocessConfigError, validatePreprocessConfig } from '../image/preprocess.js';
import { InvalidArchitectureError, validateUNetConfig } from './unet-config.js';

export const MANIFEST_FILE = 'retina-model.json';
export const TFJS_SUBDIR = 'tfjs';
export const ONNX_FILE = 'model.onnx';

/** A model that cannot be used: missing, unreadable, or from an unknown format version. */
export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

/** The bundled default model; RETINA_DEFAULT_MODEL points elsewhere (tests of a workstation without one). */
export function defaultModelDir(): string {
  return process.env.RETINA_DEFAULT_MODEL ?? join(resourcesDir(), 'models', 'default');
}

/** The model to use: the explicit one, else $RETINA_MODEL, else the bundled default. */
export function resolveModelDir(explicit?: string): string {
  const dir = explicit ?? process.env.RETINA_MODEL ?? defaultModelDir();
  if (!existsSync(join(dir, MANIFEST_FILE))) {
    if (!explicit && !process.env.RETINA_MODEL) {
      throw new ModelLoadError(
        `no model given and no bundled default model at ${dir}: train one (retina train) and pass --model DIR`,
      );
    }
    throw new ModelLoadError(`${dir} is not a RetinaStudio model directory (no ${MANIFEST_FILE})`);
  }
  return resolve(dir);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A manifest field that fails its check; parseManifest adds the manifest's path. */
class FieldError extends Error {}

/** Runs a config validator on manifest field `key`; its complaint becomes a FieldError naming the field. */
function within<T>(key: string, validate: () => T): T {
  try {
    return validate();
  } catch (err) {
    const known =
      err instanceof PreprocessConfigError ||
      err instanceof AugmentConfigError ||
      err instanceof InvalidArchitectureError;
    if (!known) throw err;
    throw new FieldError(`${key}: ${err.detail}`);
  }
}

/** Checks of plain JSON values; `key` is the field's dotted path, which every message names. */
const must = {
  object(v: unknown, key: string): Record<string, unknown> {
    if (!isObject(v)) throw new FieldError(`${key} must be an object, got ${JSON.stringify(v)}`);
    return v;
  },
  string(v: unknown, key: string): string {
    if (typeof v !== 'string') throw new FieldError(`${key} must be a string, got ${JSON.stringify(v)}`);
    return v;
  },
  boolean(v: unknown, key: string): boolean {
    if (typeof v !== 'boolean')
      throw new FieldError(`${key} must be true or false, got ${JSON.stringify(v)}`);
    return v;
  },
  /** A finite number above `min`, or at least `min` when `inclusive`. */
  number(v: unknown, key: string, min: number, inclusive = false): number {
    if (typeof v === 'number' && Number.isFinite(v) && (inclusive ? v >= min : v > min)) return v;
    throw new FieldError(
      `${key} must be a number ${inclusive ? '>=' : '>'} ${min}, got ${JSON.stringify(v)}`,
    );
  },
  integer(v: unknown, key: string, min: number): number {
    if (typeof v === 'number' && Number.isInteger(v) && v >= min) return v;
    throw new FieldError(`${key} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  },
  strings(v: unknown, key: string): string[] {
    if (Array.isArray(v) && v.every((e) => typeof e === 'string')) return v as string[];
    throw new FieldError(`${key} must be a list of strings`);
  },
  oneOf<T extends string>(v: unknown, key: string, allowed: readonly T[]): T {
    if (allowed.includes(v as T)) return v as T;
    const list = allowed.map((a) => `'${a}'`).join(', ');
    throw new FieldError(`${key} must be one of ${list}, got ${JSON.stringify(v)}`);
  },
};

/** The canonical frame the network was trained in: it places every image, so all of it must hold. */
function checkFrame(x: unknown): FrameConfig {
  const f = must.object(x, 'frame');
  return {
    reference: must.oneOf(f.reference, 'frame.reference', ['fov-diameter'] as const),
    diameter: must.number(f.diameter, 'frame.diameter', 0),
    snap: must.number(f.snap, 'frame.snap', 0, true),
    labelCalibre: must.number(f.labelCalibre, 'frame.labelCalibre', 0),
    maskCalibre: must.number(f.maskCalibre, 'frame.maskCalibre', 0),
  };
}

const LOSSES: readonly LossName[] = ['dice', 'bce', 'dice+bce'];

function checkProvenance(x: unknown): ModelManifest['provenance'] {
  const p = must.object(x, 'provenance');
  for (const k of ['dataset', 'datasetKind', 'backend', 'machine']) must.string(p[k], `provenance.${k}`);
  for (const k of ['trainIds', 'validationIds']) must.strings(p[k], `provenance.${k}`);
  for (const k of ['seed', 'epochs', 'patchesSeen', 'durationSeconds']) {
    must.number(p[k], `provenance.${k}`, 0, true);
  }
  must.oneOf(p.loss, 'provenance.loss', LOSSES);
  if (p.parentModel !== undefined) must.string(p.parentModel, 'provenance.parentModel');
  if (p.trainedBy !== undefined) must.string(p.trainedBy, 'provenance.trainedBy');
  if (p.workers !== undefined) must.number(p.workers, 'provenance.workers', 1, true);
  if (!Array.isArray(p.validationCurve) || !p.validationCurve.every(isObject)) {
    throw new FieldError('provenance.validationCurve must be a list of epochs');
  }
  // Retraining starts from the parent's augmentation, so it is checked as training checks it.
  const augment =
    p.augment === null ? null : within('provenance.augment', () => validateAugmentConfig(p.augment));
  return { ...(p as unknown as ModelManifest['provenance']), augment };
}

function checkOnnx(x: unknown): void {
  const o = must.object(x, 'onnx');
  const file = must.string(o.file, 'onnx.file');
  // Joined to the model directory: a plain file name, never a path out of it ('' means the default name).
  if (file !== '' && (basename(file) !== file || file === '.' || file === '..' || file.includes('\\'))) {
    throw new FieldError(`onnx.file must be a file name in the model directory, got ${JSON.stringify(file)}`);
  }
  must.integer(o.opset, 'onnx.opset', 1);
  must.integer(o.irVersion, 'onnx.irVersion', 1);
  must.string(o.exporterVersion, 'onnx.exporterVersion');
  if (o.weightType !== undefined) must.oneOf(o.weightType, 'onnx.weightType', ['float32', 'float16']);
}

function checkManifest(raw: Record<string, unknown>): ModelManifest {
  if (raw.formatVersion !== 1) {
    throw new FieldError(
      `model format version ${String(raw.formatVersion)} is not supported (this build reads version 1)`,
    );
  }
  must.string(raw.name, 'name');
  must.string(raw.createdAt, 'createdAt');
  const architecture = within('architecture', () => {
    const a = { ...must.object(raw.architecture, 'architecture') } as unknown as UNetConfig;
    validateUNetConfig(a);
    return a;
  });
  const preprocess = within('preprocess', () => validatePreprocessConfig(raw.preprocess));
  if (typeof raw.threshold !== 'number' || !(raw.threshold > 0 && raw.threshold < 1)) {
    throw new FieldError(`threshold must be a number in (0, 1), got ${JSON.stringify(raw.threshold)}`);
  }
  const stride = 2 ** architecture.depth;
  if (must.integer(raw.patchSize, 'patchSize', stride) % stride !== 0) {
    throw new FieldError(`patchSize must be a multiple of 2^depth = ${stride}, got ${raw.patchSize}`);
  }
  const frame = raw.frame === undefined ? undefined : checkFrame(raw.frame);
  if (raw.testTimeFlips !== undefined) must.boolean(raw.testTimeFlips, 'testTimeFlips');
  if (raw.weightsFloat16 !== undefined) must.boolean(raw.weightsFloat16, 'weightsFloat16');
  must.integer(raw.parameters, 'parameters', 0);
  const provenance = checkProvenance(raw.provenance);
  if (raw.testMetrics !== undefined) {
    const metrics = must.object(raw.testMetrics, 'testMetrics');
    for (const [k, v] of Object.entries(metrics)) must.object(v, `testMetrics.${k}`);
  }
  if (raw.onnx !== undefined) checkOnnx(raw.onnx);
  if (raw.sampleFingerprints !== undefined) {
    const prints = must.object(raw.sampleFingerprints, 'sampleFingerprints');
    for (const [k, v] of Object.entries(prints)) must.string(v, `sampleFingerprints.${k}`);
  }
  if (raw.anatomy !== undefined) {
    const problem = anatomyRecordProblem(raw.anatomy);
    if (problem) throw new FieldError(problem);
  }
  return {
    ...(raw as unknown as ModelManifest),
    architecture,
    preprocess,
    provenance,
    ...(frame ? { frame } : {}),
  };
}

/**
 * Parses and fully checks a manifest: every field that inference, retraining or the model list relies on, with
 * the validators training uses for the architecture, preprocessing and augmentation. A field that fails gives a
 * ModelLoadError naming the manifest and the field. The checked configurations in the result are fresh copies.
 */
export function parseManifest(text: string, where: string): ModelManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ModelLoadError(`${where}: not valid JSON`);
  }
  if (!isObject(raw) || raw.format !== 'retinastudio-model') {
    throw new ModelLoadError(`${where}: not a RetinaStudio model manifest`);
  }
  try {
    return checkManifest(raw);
  } catch (err) {
    if (err instanceof FieldError) throw new ModelLoadError(`${where}: ${err.message}`);
    throw err;
  }
}

export async function readManifest(modelDir: string): Promise<ModelManifest> {
  const path = join(modelDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ModelLoadError(`${modelDir}: cannot read ${MANIFEST_FILE} (is it a model directory?)`);
  }
  return parseManifest(text, path);
}

export async function writeManifest(modelDir: string, manifest: ModelManifest): Promise<void> {
  await writeFileAtomic(join(modelDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}
