// The model registry: every model knows its parent, its training run and the exact mask versions it was trained
// on. Each model does one task (vessel segmentation, artery/vein labels, the optic disc); exactly one model of a task
// is active once any has been promoted (a partial unique index plus promoteModel's transaction, which retires the
// task's previous one in the same step). Without a task, the calls below mean the vessel models.
import { nowIso, type Store } from './database.js';
import { recordAudit } from './audit.js';
import { ConstraintError, NotFoundError } from './errors.js';
import { fromJson, toJson } from './json.js';
import { modelDirIn, storedModelDirIn } from './model-paths.js';

export type ModelStatus = 'candidate' | 'active' | 'retired';
export type ModelTask = 'vessel' | 'artery-vein' | 'optic-disc';

export interface ModelRecord {
  id: number;
  name: string;
  dirPath: string;
  architecture: unknown;
  metrics: unknown;
  parentModelId: number | null;
  trainingRunId: number | null;
  status: ModelStatus;
  task: ModelTask;
  createdAt: string;
  promotedAt: string | null;
}

export interface TrainedOnEntry {
  maskVersionId: number;
  role?: 'train' | 'validation';
}

export interface RegisterModelInput {
  name: string;
  dirPath: string;
  architecture: unknown;
  metrics?: unknown;
  parentModelId?: number | null;
  trainingRunId?: number | null;
  /** Default 'vessel'. */
  task?: ModelTask;
  /** The exact mask versions the model was trained (and validated) on. */
  trainedOn?: TrainedOnEntry[];
}

interface ModelRow {
  id: number;
  name: string;
  dir_path: string;
  architecture: string;
  metrics: string | null;
  parent_model_id: number | null;
  training_run_id: number | null;
  status: ModelStatus;
  /** Absent on a database older than v11. */
  task?: ModelTask;
  created_at: string;
  promoted_at: string | null;
}

const toModel = (store: Store, r: ModelRow): ModelRecord => ({
  id: r.id,
  name: r.name,
  dirPath: modelDir(store, r.dir_path),
  architecture: fromJson(r.architecture),
  metrics: fromJson(r.metrics),
  parentModelId: r.parent_model_id,
  trainingRunId: r.training_run_id,
  status: r.status,
  task: r.task ?? 'vessel',
  createdAt: r.created_at,
  promotedAt: r.promoted_at,
});

/** The folder a registry row names (model-paths.ts: the database's own models are named relative to it). */
export function modelDir(store: Store, stored: string): string {
  return modelDirIn(store.beside('models'), stored);
}

/** How the registry names the folder `dir`. */
function storedModelDir(store: Store, dir: string): string {
  return storedModelDirIn(store.beside('models'), dir);
}

export function getModel(store: Store, id: number): ModelRecord {
  const row = store.db.prepare('SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined;
  if (!row) throw new NotFoundError(`model ${id} does not exist`);
  return toModel(store, row);
}

export function findModelByName(store: Store, name: string): ModelRecord | null {
  const row = store.db.prepare('SELECT * FROM models WHERE name = ?').get(name) as ModelRow | undefined;
  return row ? toModel(store, row) : null;
}

/** The models of a task (default: the vessel models), optionally of one status; 'any' lists every task's. */
export function listModels(
  store: Store,
  filter: { status?: ModelStatus; task?: ModelTask | 'any' } = {},
): ModelRecord[] {
  const where: string[] = [];
  const params: string[] = [];
  const task = filter.task ?? 'vessel';
  if (task !== 'any') {
    where.push('task = ?');
    params.push(task);
  }
  if (filter.status) {
    where.push('status = ?');
    params.push(filter.status);
  }
  const rows = store.db
    .prepare(`SELECT * FROM models ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`)
    .all(...params) as ModelRow[];
  return rows.map((r) => toModel(store, r));
}

export function activeModel(store: Store, task: ModelTask = 'vessel'): ModelRecord | null {
  const row = store.db.prepare("SELECT * FROM models WHERE status = 'active' AND task = ?").get(task) as
    ModelRow | undefined;
  return row ? toModel(store, row) : null;
}

/** Registers a candidate model with its training set, in one transaction. */
export function registerModel(store: Store, input: RegisterModelInput, actor: string): ModelRecord {
  const task = input.task ?? 'vessel';
  // A vessel model leaves the task to the column's default, so registering one works on a database made before
  // models had tasks (v9 and older, which tests build to check their migration).
  const [taskColumn, taskValue] = task === 'vessel' ? ['', ''] : [', task', ', ?'];
  return store.write('register a model', () => {
    const inserted = store.db
      .prepare(
        `INSERT INTO models (name, dir_path, architecture, metrics, parent_model_id, training_run_id, status, created_at${taskColumn})
         VALUES (?, ?, ?, ?, ?, ?, 'candidate', ?${taskValue}) RETURNING id`,
      )
      .pluck()
      .get(
        input.name,
        storedModelDir(store, input.dirPath),
        JSON.stringify(input.architecture ?? null),
        toJson(input.metrics),
        input.parentModelId ?? null,
        input.trainingRunId ?? null,
        nowIso(),
        ...(task === 'vessel' ? [] : [task]),
      );
    const id = Number(inserted);
    const link = store.db.prepare(
      'INSERT INTO model_training_masks (model_id, mask_version_id, role) VALUES (?, ?, ?)',
    );
    for (const t of input.trainedOn ?? []) link.run(id, t.maskVersionId, t.role ?? 'train');
    recordAudit(store, actor, 'model.register', 'model', id, {
      name: input.name,
      ...(task !== 'vessel' ? { task } : {}),
      trainedOn: input.trainedOn?.length ?? 0,
    });
    return getModel(store, id);
  });
}

/**
 * Makes `id` the active model of its task and retires that task's previously active one, atomically. `details` (e.g. the reason for
 * an override or a rollback) are recorded in the audit entry.
 */
export function promoteModel(
  store: Store,
  id: number,
  actor: string,
  details: Record<string, unknown> = {},
): ModelRecord {
  return store.write('promote a model', () => {
    const model = getModel(store, id);
    if (model.status === 'active') return model;
    const previous = activeModel(store, model.task);
    if (previous) store.db.prepare("UPDATE models SET status = 'retired' WHERE id = ?").run(previous.id);
    store.db.prepare("UPDATE models SET status = 'active', promoted_at = ? WHERE id = ?").run(nowIso(), id);
    recordAudit(store, actor, 'model.promote', 'model', id, { ...details, previous: previous?.id ?? null });
    return getModel(store, id);
  });
}

/** Retires a candidate. The active model is replaced by promoting another, never retired on its own. */
export function retireModel(store: Store, id: number, actor: string): ModelRecord {
  return store.write('retire a model', () => {
    const model = getModel(store, id);
    if (model.status === 'active') {
      throw new ConstraintError(`model ${model.name} is active: promote another model to replace it`);
    }
    store.db.prepare("UPDATE models SET status = 'retired' WHERE id = ?").run(id);
    recordAudit(store, actor, 'model.retire', 'model', id);
    return getModel(store, id);
  });
}

/** The model's folder moved (the bundled model of an installation that mounts at a new path each start). */
export function relocateModel(store: Store, id: number, dirPath: string, actor: string): ModelRecord {
  return store.write('relocate a model', () => {
    const before = getModel(store, id);
    store.db.prepare('UPDATE models SET dir_path = ? WHERE id = ?').run(storedModelDir(store, dirPath), id);
    recordAudit(store, actor, 'model.relocate', 'model', id, { from: before.dirPath, to: dirPath });
    return getModel(store, id);
  });
}

export function updateModelMetrics(store: Store, id: number, metrics: unknown, actor: string): ModelRecord {
  return store.write('update model metrics', () => {
    getModel(store, id);
    store.db.prepare('UPDATE models SET metrics = ? WHERE id = ?').run(toJson(metrics), id);
    recordAudit(store, actor, 'model.metrics', 'model', id);
    return getModel(store, id);
  });
}

export interface TrainingMaskLink {
  maskVersionId: number;
  imageId: number;
  role: 'train' | 'validation';
}

/** The exact mask versions a model was trained on. */
export function modelTrainingMasks(store: Store, modelId: number): TrainingMaskLink[] {
  return store.db
    .prepare(
      `SELECT t.mask_version_id AS "maskVersionId", m.image_id AS "imageId", t.role AS role
       FROM model_training_masks t JOIN mask_versions m ON m.id = t.mask_version_id
       WHERE t.model_id = ? ORDER BY t.mask_version_id`,
    )
    .all(modelId) as TrainingMaskLink[];
}
