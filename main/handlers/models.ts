// Which model predicts: the one asked for, else the server's --model directory, else the store's active model,
// else the bundled default. A directory that is not yet in the registry is registered (as a candidate) so every
// prediction can name the model that made it. And the models as the Models screen lists them, with the installed
// anatomy models that predictions use before a retrain registers them.
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  RpcError,
  type AnatomyModelTask,
  type InstalledModelSummary,
  type ModelSummary,
} from '../../shared/contract.js';
import type { AnatomyDirs } from '../jobs/anatomy-dirs.js';
import { MANIFEST_FILE, ONNX_FILE, defaultModelDir, readManifest } from '../ml/model/model-dir.js';
import type { ModelManifest } from '../ml/types.js';
import {
  activeModel,
  findModelByName,
  getModel,
  isBundledModelDir,
  listModels,
  registerModel,
  relocateModel,
  type ModelRecord,
  type Store,
} from '../store/index.js';
import { toId } from './ids.js';
import { lineageSummary } from './model-lineage.js';

export interface ResolvedModel {
  record: ModelRecord;
  dir: string;
  manifest: ModelManifest;
}

async function manifestOf(dir: string): Promise<ModelManifest> {
  try {
    return await readManifest(dir);
  } catch (err) {
    throw new RpcError('model-failed', (err as Error).message.split('\n')[0]);
  }
}

/** The registry row of a model directory, registering it when new (name made unique when taken). */
export async function ensureRegistered(
  store: Store,
  dirArg: string,
  actor: string,
  /** The bundled default, taken while no model is active (not a folder the user named). */
  asDefault = false,
): Promise<ModelRecord> {
  const dir = resolve(dirArg);
  const sameDir = listModels(store).filter((m) => resolve(m.dirPath) === dir);
  if (sameDir.length > 0 && !asDefault) return sameDir[0];
  const manifest = await manifestOf(dir);
  // A candidate registered by hand from the bundled folder under a name of its own is not the default: taken as
  // it, the Models screen called that candidate "in use". The default's row bears its manifest's name (numbered
  // when the name was taken).
  const named = (m: ModelRecord) => m.name === manifest.name || m.name.startsWith(`${manifest.name} (`);
  const existing = sameDir.find(named);
  if (existing) return existing;
  // The bundled model moves with the installation (an AppImage mounts at a new path each start; macOS may run an
  // app from a random path): an earlier installation's row for it, whose folder is gone, is this model, moved.
  // (Registered again it would become "default (2)", "default (3)"..., and the old rows point at nothing.)
  if (isBundledModelDir(dir)) {
    const moved = listModels(store, { task: 'any' }).find(
      (m) =>
        m.name === manifest.name &&
        isBundledModelDir(m.dirPath) &&
        basename(m.dirPath) === basename(dir) &&
        !existsSync(join(m.dirPath, MANIFEST_FILE)),
    );
    if (moved) return relocateModel(store, moved.id, dir, actor);
  }
  let name = manifest.name || 'model';
  for (let n = 2; findModelByName(store, name); n++) name = `${manifest.name || 'model'} (${n})`;
  return registerModel(
    store,
    { name, dirPath: dir, architecture: manifest.architecture, metrics: manifest.testMetrics ?? null },
    actor,
  );
}

/** "U-Net depth 4, 16 filters" for a model list. */
function architectureWords(arch: ModelManifest['architecture'] | undefined): string {
  return arch
    ? `U-Net depth ${arch.depth}, ${arch.baseFilters} filters${arch.residual ? ', residual' : ''}`
    : 'model directory unreadable';
}

/**
 * The anatomy models predictions use though the registry holds none of their task yet (the installed ones), for
 * the tasks asked about; a directory whose manifest cannot be read is left out (predictions cannot use it either).
 */
export async function installedAnatomy(
  store: Store,
  dirs: AnatomyDirs | null,
  tasks: readonly AnatomyModelTask[],
): Promise<InstalledModelSummary[]> {
  const out: InstalledModelSummary[] = [];
  for (const task of tasks) {
    const dir = task === 'artery-vein' ? dirs?.arteryVein : dirs?.opticDisc;
    if (!dir || activeModel(store, task)) continue;
    try {
      const manifest = await readManifest(dir);
      if (manifest.anatomy?.task !== task) continue;
      out.push({
        task,
        name: manifest.name,
        architecture: architectureWords(manifest.architecture),
        anatomyValidation: anatomyValidation(manifest),
      });
    } catch {
      continue;
    }
  }
  return out;
}

/** An anatomy model's validation figure in its task's measure, as its training recorded it; null when none. */
function anatomyValidation(manifest: ModelManifest): ModelSummary['anatomyValidation'] {
  const a = manifest.anatomy;
  const value = a?.task === 'artery-vein' ? a.validation?.accuracy : a?.validation?.meanCentreError;
  if (!a || value === undefined) return null;
  return {
    measure: a.task === 'artery-vein' ? 'av-accuracy' : 'disc-centre-error',
    value,
    images: manifest.provenance.validationIds.length,
    dataset: manifest.provenance.dataset,
  };
}

export class ModelResolver {
  /** The shell's --model directory's model: every prediction without an explicit model uses it. */
  private configured: ModelRecord | null = null;
  /**
   * The bundled default, registered when the registry had no active model: used only while it still has none.
   * (Pinning it made a server predict with it after another process promoted a model.)
   */
  private fallback: ModelRecord | null = null;

  constructor(
    private readonly store: Store,
    private readonly actor: string,
    /** The shell's --model directory, if any. */
    private readonly modelDir: string | undefined,
  ) {}

  /** Registers the configured (or bundled default) model up front, so it has an id before any prediction. */
  async init(): Promise<void> {
    if (this.modelDir) {
      if (!existsSync(join(this.modelDir, MANIFEST_FILE))) {
        throw new RpcError(
          'model-failed',
          `${this.modelDir} is not a RetinaStudio model directory (no ${MANIFEST_FILE})`,
        );
      }
      this.configured = await ensureRegistered(this.store, this.modelDir, this.actor);
    } else if (!activeModel(this.store) && existsSync(join(defaultModelDir(), MANIFEST_FILE))) {
      this.fallback = await ensureRegistered(this.store, defaultModelDir(), this.actor, true);
    }
  }

  /** After a promotion or rollback in this session: predict with the registry's active model from now on. */
  followActive(): void {
    this.configured = null;
  }

  /** The model a prediction without an explicit model uses, or null when there is none at all. */
  current(): ModelRecord | null {
    if (this.configured) return getModel(this.store, this.configured.id);
    // The registry is read each time: another process (the CLI, a team's other server) may have promoted one.
    const active = activeModel(this.store);
    return active ?? (this.fallback ? getModel(this.store, this.fallback.id) : null);
  }

  async resolve(modelId?: number): Promise<ResolvedModel> {
    const record = modelId !== undefined ? getModel(this.store, modelId) : this.current();
    if (!record) {
      throw new RpcError(
        'model-failed',
        'no model to predict with: start with --model DIR, or promote a model (retina train, then promote it)',
      );
    }
    const manifest = await manifestOf(record.dirPath);
    return { record, dir: resolve(record.dirPath), manifest };
  }

  async summary(record: ModelRecord): Promise<ModelSummary> {
    let manifest: ModelManifest | null = null;
    try {
      manifest = await readManifest(record.dirPath);
    } catch {
      // A model whose directory went missing is still listed; it just cannot predict.
    }
    const arch = manifest?.architecture;
    const fov = manifest?.testMetrics
      ? Object.values(manifest.testMetrics).find((m) => m.protocol === 'fov')
      : undefined;
    return {
      id: toId(record.id),
      name: record.name,
      task: record.task,
      status: record.status,
      createdAt: record.createdAt,
      threshold: manifest?.threshold ?? 0.5,
      architecture: architectureWords(arch),
      metrics: fov ? { f1: fov.f1, aucRoc: fov.aucRoc, dataset: manifest?.provenance.dataset ?? '' } : null,
      anatomyValidation: manifest ? anatomyValidation(manifest) : null,
      hasOnnx: Boolean(manifest?.onnx) && existsSync(join(record.dirPath, manifest?.onnx?.file || ONNX_FILE)),
      ...lineageSummary(this.store, record),
    };
  }
}
