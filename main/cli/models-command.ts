// `retina models`: the model registry from the command line: list with lineage, promote (with a reason when the
// candidate did not beat the active model), keep (retire a candidate), roll back.
import { osUser } from '../node/os-user.js';
import { availableParallelism } from 'node:os';
import { flag, parseCommand, printJson, str } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { findModelByName, getModel, openStore, type Store } from '../store/index.js';
import { databaseHelp, DATABASE_OPTIONS, databaseFromArgs } from './database-args.js';
import { promoteCandidate, registryWithLineage, rejectCandidate, rollbackTo } from '../retrain/registry.js';
import { repredictDraftFree } from '../retrain/repredict.js';

const HELP = `
Usage: retina models [list] [--database URL|PATH] [--json]
       retina models promote MODEL [--reason TEXT] [--no-repredict]
       retina models rollback MODEL [--reason TEXT] [--no-repredict]
       retina models keep MODEL

MODEL is a model id or name. promote makes a candidate active: without --reason only one that beat the active
model on the held-out images; with --reason any candidate (recorded as an override). rollback makes an earlier
model active again. keep retires a candidate and leaves the active model. After promote and rollback, images with
no draft and no approved mask are predicted again with the new active model.

Options:
${databaseHelp(20)}
`;

function findModel(store: Store, ref: string | undefined): number {
  if (!ref) throw new UsageError('name the model (id or name)');
  if (/^\d+$/.test(ref)) return getModel(store, Number(ref)).id;
  const m = findModelByName(store, ref);
  if (!m) throw new UsageError(`no model named '${ref}'`);
  return m.id;
}

function list(store: Store, json: boolean): void {
  const entries = registryWithLineage(store);
  if (json) {
    printJson(entries);
    return;
  }
  const names = new Map(entries.map((e) => [e.model.id, e.model.name]));
  for (const e of entries) {
    const m = e.model;
    const parent = m.parentModelId !== null ? ` parent ${names.get(m.parentModelId) ?? m.parentModelId}` : '';
    const heldOut = e.outcome
      ? ` held-out F1 ${e.outcome.heldOut.pooled.candidate.f1.toFixed(4)} vs ${e.outcome.heldOut.pooled.active.f1.toFixed(4)}`
      : '';
    const run = m.trainingRunId !== null ? ` run ${m.trainingRunId}` : '';
    const last = e.promotions[0]?.reason ? ` (promoted: ${e.promotions[0].reason})` : '';
    process.stdout.write(
      `${String(m.id).padStart(3)} ${m.status.padEnd(9)} ${m.name}${parent}${run} ` +
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
      json: { type: 'boolean' },
    },
    HELP,
    true,
  );
  if (!p) return EXIT.ok;
  const [action = 'list', ref, ...extra] = p.positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const store = openStore(databaseFromArgs(p), { create: false });
  const actor = str(p, 'actor') ?? osUser();
  try {
    if (action === 'list') {
      list(store, flag(p, 'json'));
      return EXIT.ok;
    }
    const id = findModel(store, ref);
    let model;
    if (action === 'promote') model = promoteCandidate(store, id, actor, str(p, 'reason'));
    else if (action === 'rollback') model = rollbackTo(store, id, actor, str(p, 'reason'));
    else if (action === 'keep') model = rejectCandidate(store, id, actor);
    else throw new UsageError(`unknown action '${action}' (list, promote, rollback, keep)`);
    process.stderr.write(`${model.name} is ${model.status}\n`);
    if (action !== 'keep' && !flag(p, 'no-repredict')) {
      const done = await repredictDraftFree(store, model, {
        author: actor,
        threads: availableParallelism(),
        hooks: { isCancelled: () => false, progress: () => undefined },
      });
      process.stderr.write(`re-predicted ${done.length} draft-free image(s)\n`);
    }
    return EXIT.ok;
  } finally {
    store.close();
  }
}
