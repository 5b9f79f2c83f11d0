// `retina models`: the model registry from the command line: list with lineage, promote (with a reason when the
// candidate did not beat the active model), keep (retire a candidate), roll back.
import { cliActor } from './actor.js';
import { availableParallelism } from 'node:os';
import { flag, misplacedOption, oneOf, parseCommand, printJson, str } from './args.js';
import { EXIT, UsageError } from './errors.js';
import {
  activeModel,
  findModelByName,
  listModels,
  openStore,
  type ModelRecord,
  type Store,
} from '../store/index.js';
import { databaseHelp, DATABASE_OPTIONS, databaseFromArgs } from './database-args.js';
import { registryWithLineage, rejectCandidate } from '../retrain/registry.js';
import { promoteUsable, rollbackUsable } from '../retrain/activate.js';
import { repredictDraftFree } from '../retrain/repredict.js';
import { skippedSummary } from '../jobs/index.js';

const HELP = `
Usage: retina models [list] [--database URL|PATH] [--task T] [--json]
       retina models promote MODEL [--reason TEXT] [--no-repredict]
       retina models rollback MODEL [--reason TEXT] [--no-repredict]
       retina models keep MODEL

MODEL is a model id or name. promote makes a candidate active: without --reason only one that beat the active
model on the held-out images; with --reason any candidate (recorded as an override). rollback makes an earlier
model active again. keep retires a candidate and leaves the active model. After promote and rollback, images with
no draft and no approved mask are predicted again with the new active model (an artery/vein or optic-disc
model takes the place of its own task's active model, and the images are predicted again with the vessel model).

  --task T             list the models of T: vessel (default), artery-vein, optic-disc or all
  --actor NAME         name recorded in the audit log (default: the OS user); in a study with accounts,
                       one of them

Options:
${databaseHelp(20)}
`;

function findModel(store: Store, ref: string | undefined): number {
  if (!ref) throw new UsageError('name the model (id or name)');
  // A model that does not exist is a bad argument (exit 2), whether named by id or by name.
  if (/^\d+$/.test(ref)) {
    const id = Number(ref);
    if (!listModels(store, { task: 'any' }).some((m) => m.id === id))
      throw new UsageError(`no model with id ${ref}`);
    return id;
  }
  const m = findModelByName(store, ref);
  if (!m) throw new UsageError(`no model named '${ref}'`);
  return m.id;
}

const TASKS = ['vessel', 'artery-vein', 'optic-disc', 'all'] as const;

/** The actions each option is for: another would ignore it (`keep --reason` recorded no reason). */
const ACTION_OPTIONS: Record<string, string[]> = {
  task: ['list'],
  json: ['list'],
  reason: ['promote', 'rollback'],
  'no-repredict': ['promote', 'rollback'],
};

/** An anatomy candidate's held-out figures, as its retrain recorded them on its row. */
function anatomyHeldOut(m: ModelRecord): string {
  const h = (m.metrics as { heldOut?: { measure?: string; candidate?: number; active?: number } } | null)
    ?.heldOut;
  return h?.measure && h.candidate !== undefined && h.active !== undefined
    ? ` held-out mean ${h.measure === 'A/V accuracy' ? 'A/V accuracy' : 'disc centre error'} ` +
        `${h.candidate.toFixed(4)} vs ${h.active.toFixed(4)}`
    : '';
}

function list(store: Store, json: boolean, task: (typeof TASKS)[number]): void {
  const entries = registryWithLineage(store, task === 'all' ? 'any' : task);
  if (json) {
    printJson(entries);
    return;
  }
  if (entries.length === 0) {
    // A database only imported into: nothing has predicted yet. Say what will, rather than print nothing.
    const what = task === 'all' ? 'models' : task === 'vessel' ? 'vessel models' : `${task} models`;
    process.stdout.write(
      `no ${what} registered in this database yet: the app (retina serve, npm start) and retina retrain ` +
        'register and use the bundled ones until a retrain promotes its own\n',
    );
    return;
  }
  const names = new Map(entries.map((e) => [e.model.id, e.model.name]));
  for (const e of entries) {
    const m = e.model;
    const parent = m.parentModelId !== null ? ` parent ${names.get(m.parentModelId) ?? m.parentModelId}` : '';
    const heldOut =
      m.task !== 'vessel'
        ? anatomyHeldOut(m)
        : e.outcome
          ? ` held-out F1 ${e.outcome.heldOut.pooled.candidate.f1.toFixed(4)} vs ${e.outcome.heldOut.pooled.active.f1.toFixed(4)}`
          : '';
    const run = m.trainingRunId !== null ? ` run ${m.trainingRunId}` : '';
    const p0 = e.promotions[0];
    const how = p0?.rollback ? 'rolled back to' : p0?.override ? 'promoted by override' : 'promoted';
    const last = p0?.reason ? ` (${how}: ${p0.reason})` : '';
    const task = m.task !== 'vessel' ? ` [${m.task}]` : '';
    process.stdout.write(
      `${String(m.id).padStart(3)} ${m.status.padEnd(9)} ${m.name}${task}${parent}${run} ` +
        `${e.trainedOnMasks} masks${heldOut}${last}\n`,
    );
  }
}

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    {
      ...DATABASE_OPTIONS,
      reason: { type: 'string' },
      actor: { type: 'string' },
      'no-repredict': { type: 'boolean' },
      task: { type: 'string' },
      json: { type: 'boolean' },
    },
    HELP,
    true,
  );
  if (!p) return EXIT.ok;
  const [action = 'list', ref, ...extra] = p.positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  // Named before the model is looked for ('models frobnicate' said "name the model").
  if (!['list', 'promote', 'rollback', 'keep'].includes(action))
    throw new UsageError(`unknown action '${action}' (list, promote, rollback, keep)`);
  const misplaced = misplacedOption('models', action, ACTION_OPTIONS, (o) => p.values[o] !== undefined);
  if (misplaced) throw new UsageError(misplaced);
  if (action === 'list' && ref !== undefined)
    throw new UsageError(`unexpected argument '${ref}' (list names no model)`);
  const store = openStore(databaseFromArgs(p), { create: false });
  try {
    const actor = cliActor(store, str(p, 'actor'));
    if (action === 'list') {
      list(store, flag(p, 'json'), oneOf(p, 'task', TASKS) ?? 'vessel');
      return EXIT.ok;
    }
    const id = findModel(store, ref);
    if (action === 'keep') {
      const kept = rejectCandidate(store, id, actor);
      process.stderr.write(`${kept.name} is ${kept.status}\n`);
      return EXIT.ok;
    }
    const reason = str(p, 'reason');
    const { model, changed } =
      action === 'promote'
        ? await promoteUsable(store, id, actor, reason)
        : await rollbackUsable(store, id, actor, reason);
    if (!changed) {
      // Nothing changed, so the predictions already come from it: re-predicting would only duplicate them.
      process.stderr.write(`${model.name} is already active: nothing re-predicted\n`);
      return EXIT.ok;
    }
    process.stderr.write(`${model.name} is ${model.status}\n`);
    // New predictions come from the vessel model; an anatomy model's change shows in their labels and disc.
    const vessel = model.task === 'vessel' ? model : activeModel(store);
    if (!flag(p, 'no-repredict') && vessel) {
      const done = await repredictDraftFree(store, vessel, {
        author: actor,
        threads: availableParallelism(),
        hooks: { isCancelled: () => false, progress: () => undefined },
      });
      process.stderr.write(`re-predicted ${done.predicted.length} draft-free image(s)\n`);
      const skipped = skippedSummary(done.skipped);
      if (skipped) process.stderr.write(`${skipped}\n`);
    }
    return EXIT.ok;
  } finally {
    store.close();
  }
}
