// The model directory format: a manifest (retina-model.json) beside the tfjs weights and the ONNX export.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ModelManifest, UNetConfig, PreprocessConfig } from './types.js';
import { writeFileAtomic } from '../node/atomic-fs.js';
import { resourcesDir } from '../node/package-root.js';

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

function checkArchitecture(a: unknown, where: string): UNetConfig {
  if (!isObject(a) || a.kind !== 'unet') throw new ModelLoadError(`${where}: unknown architecture`);
  for (const k of ['inputChannels', 'depth', 'baseFilters', 'convsPerLevel', 'dropout'] as const) {
    if (typeof a[k] !== 'number') throw new ModelLoadError(`${where}: architecture.${k} must be a number`);
  }
  return a as unknown as UNetConfig;
}

function checkPreprocess(p: unknown, where: string): PreprocessConfig {
  if (!isObject(p) || (p.channel !== 'green' && p.channel !== 'luminance')) {
    throw new ModelLoadError(`${where}: invalid preprocessing config`);
  }
  return p as unknown as PreprocessConfig;
}

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
  if (raw.formatVersion !== 1) {
    throw new ModelLoadError(
      `${where}: model format version ${String(raw.formatVersion)} is not supported (this build reads version 1)`,
    );
  }
  checkArchitecture(raw.architecture, where);
  checkPreprocess(raw.preprocess, where);
  if (typeof raw.threshold !== 'number' || !(raw.threshold > 0 && raw.threshold < 1)) {
    throw new ModelLoadError(`${where}: threshold must be a number in (0, 1)`);
  }
  if (typeof raw.patchSize !== 'number') throw new ModelLoadError(`${where}: patchSize missing`);
  return raw as unknown as ModelManifest;
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
