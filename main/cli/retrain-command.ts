// `retina retrain`: fine-tunes the active model on the approved masks it has not seen, compares it with the
// active model on held-out approved images, and promotes it only when it is better: the same code path as the
// workstation's Retrain button (main/retrain/run.ts).
import { closeInterruptedRuns } from '../retrain/leftovers.js';
import { cliActor } from './actor.js';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { flag, num, oneOf, parseCommand, printJson, str } from './args.js';
import { EXIT } from './errors.js';
import { interruptSignal } from './interrupt.js';
import { retrainProgress } from './retrain-progress.js';
import { activeModel, openStore, type ModelRecord, type Store } from '../store/index.js';
import { ensureRegistered } from '../handlers/models.js';
import { MANIFEST_FILE, defaultModelDir } from '../ml/model/model-dir.js';
import { promoteCandidate } from '../retrain/registry.js';
import { databaseHelp, DATABASE_OPTIONS, databaseFromArgs } from './database-args.js';
import type { RetrainOutcome } from '../retrain/run.js';
import { runRetrainAll, type RetrainAllOutcome } from '../retrain/retrain-all.js';
import { findAnatomyDirs } from '../jobs/anatomy-dirs.js';
import { RetrainCancelledError } from '../retrain/errors.js';
import { saveSettings, type RetrainSettings } from '../retrain/settings.js';

const HELP = `
Usage: retina retrain [--database URL|PATH] [options]

Fine-tunes the active model on the approved masks it has not seen yet (plus a replay sample of its earlier
training data), scores the candidate and the active model on the same held-out approved images, and promotes the
candidate only when the promotion gate finds it better: at least 3 held-out images a person corrected (or from a
dataset), and the 95% interval of the per-image F1 gain (the wider of Student's t and a paired bootstrap) above the margin (the setting
promotionMargin in <db>.retrain.json, default 0); never when the benchmark drops by more than 0.01 F1. Then it
re-predicts the images that have no draft or approval. With too few corrected images it refuses before training,
saying what would help. Ctrl+C cancels; the active model stays as it was.

The same run retrains the artery/vein and optic-disc models on the approved images whose labels a person corrected
or whose disc a person moved (with replay of the model's own training images when they are on this machine),
judges each candidate on held-out corrections (A/V accuracy on labelled vessel pixels; disc centre error in disc
diameters) by the same gate, and promotes it only when better. A task with too few corrections is skipped, saying
why.

Options:
${databaseHelp(25)}
  --epochs N             fine-tuning epochs
  --steps N              batches per epoch
  --batch N              patches per batch
  --lr X                 peak learning rate
  --max-minutes N        stop training after N minutes, keeping the best epoch
  --seed N               seed (training, held-out and replay choice)
  --replay N             images of earlier training data mixed in (0 = none)
  --held-out X           share of approved images held out for the comparison
  --benchmark DIR        also score both models on this dataset folder
  --benchmark-split S    train | test | all (default test)
  --no-promote           compare only; promote later with 'retina models promote'
  --auto-after N         save the setting "retrain from the workstation after N new approvals" (0 = off) and exit
  --workers N            trainer worker threads
  --threads N            ONNX Runtime threads for evaluation and re-prediction
  --actor NAME           name recorded in the audit log (default: the OS user); in a study with
                         accounts, one of them
  --json                 print the outcome as JSON on stdout
`;

function anatomySummary(o: RetrainAllOutcome): string {
  const lines = o.anatomy.map((a) => {
    if ('skipped' in a) return `skipped ${a.skipped}`;
    if ('failed' in a) return `failed ${a.failed}`;
    const r = a.outcome;
    const d = r.decision;
    return (
      `${r.task}: candidate ${r.candidateName} (model ${r.candidateModelId}) from ${r.trainedOn.length} ` +
      `correction(s) + ${r.replay.length} replay image(s); ${d.promoted ? 'promoted' : 'not promoted'}: ${d.reason}` +
      (d.advice ? `\n${d.advice}` : '')
    );
  });
  if (!o.vessel) lines.unshift(`vessel model: ${o.vesselSkipped}`);
  return lines.length ? lines.join('\n') + '\n' : '';
}

function summary(o: RetrainOutcome): string {
  const p = o.heldOut.pooled;
  const lines = [
    `candidate ${o.candidateName} (model ${o.candidateModelId}) trained in ${o.trainSeconds.toFixed(0)} s`,
    `held-out (${o.heldOut.images.length} images, FOV): F1 ${p.candidate.f1.toFixed(4)} vs active ${p.active.f1.toFixed(4)}, ` +
      `AUC ${p.candidate.aucRoc.toFixed(4)} vs ${p.active.aucRoc.toFixed(4)}`,
  ];
  if (o.benchmark) {
    lines.push(
      `benchmark ${o.benchmark.path} (${o.benchmark.split}, ${o.benchmark.images} images): ` +
        `F1 ${o.benchmark.candidate.f1.toFixed(4)} vs ${o.benchmark.active.f1.toFixed(4)}`,
    );
  }
  lines.push(
    `${o.decision.promoted ? 'promoted' : 'not promoted'}: ${o.decision.reason}` +
      (o.decision.promoted ? `; re-predicted ${o.repredicted} draft-free image(s)` : ''),
  );
  if (o.decision.advice) lines.push(o.decision.advice);
  return lines.join('\n') + '\n';
}

/**
 * A database only ever used from the command line has no vessel model in its registry: register the bundled one
 * and make it the first active model, as the app's first retrain does with the model in use, so the candidate has
 * a parent to be compared with and rolled back to. Null when the registry already has an active model.
 */
async function firstActiveVesselModel(store: Store, actor: string): Promise<ModelRecord | null> {
  if (activeModel(store) || !existsSync(join(defaultModelDir(), MANIFEST_FILE))) return null;
  const model = await ensureRegistered(store, defaultModelDir(), actor, true);
  return promoteCandidate(store, model.id, actor, 'first active model');
}

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    {
      ...DATABASE_OPTIONS,
      epochs: { type: 'string' },
      steps: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      'max-minutes': { type: 'string' },
      seed: { type: 'string' },
      replay: { type: 'string' },
      'held-out': { type: 'string' },
      benchmark: { type: 'string' },
      'benchmark-split': { type: 'string' },
      'no-promote': { type: 'boolean' },
      'auto-after': { type: 'string' },
      workers: { type: 'string' },
      threads: { type: 'string' },
      actor: { type: 'string' },
      json: { type: 'boolean' },
    },
    HELP,
  );
  if (!p) return EXIT.ok;
  const dbPath = databaseFromArgs(p);
  const autoAfter = num(p, 'auto-after', { min: 0, integer: true });
  if (autoAfter !== undefined) {
    const settingsStore = openStore(dbPath, { create: false });
    const file = settingsStore.beside('retrain.json');
    settingsStore.close();
    const s = await saveSettings(file, { autoRetrainAfter: autoAfter });
    process.stderr.write(
      s.autoRetrainAfter > 0
        ? `the workstation retrains once ${s.autoRetrainAfter} approvals are new to the active model\n`
        : 'the workstation retrains only when asked\n',
    );
    return EXIT.ok;
  }
  const overrides: Partial<RetrainSettings> = {};
  const set = <K extends keyof RetrainSettings>(k: K, v: RetrainSettings[K] | undefined): void => {
    if (v !== undefined) overrides[k] = v;
  };
  set('epochs', num(p, 'epochs', { min: 1, integer: true }));
  set('stepsPerEpoch', num(p, 'steps', { min: 1, integer: true }));
  set('batchSize', num(p, 'batch', { min: 2, integer: true }));
  set('learningRate', num(p, 'lr', { min: 0 }));
  set('maxMinutes', num(p, 'max-minutes', { min: 0 }));
  set('seed', num(p, 'seed', { min: 0, integer: true }));
  set('replayImages', num(p, 'replay', { min: 0, integer: true }));
  set('heldOutFraction', num(p, 'held-out', { min: 0, max: 0.9 }));
  const bench = str(p, 'benchmark');
  if (bench) {
    set('benchmark', {
      path: resolve(bench),
      split: oneOf(p, 'benchmark-split', ['train', 'test', 'all'] as const) ?? 'test',
    });
  }

  const store = openStore(dbPath, { create: false });
  const interrupt = interruptSignal();
  try {
    const actor = cliActor(store, str(p, 'actor'));
    const failed = await closeInterruptedRuns(store);
    if (failed.length > 0) process.stderr.write(`marked interrupted run(s) ${failed.join(', ')} as failed\n`);
    const root = await firstActiveVesselModel(store, actor);
    if (root) process.stderr.write(`the bundled model ${root.name} is this database's first active model\n`);
    const outcome = await runRetrainAll(store, {
      anatomyDirs: findAnatomyDirs(),
      actor,
      trigger: 'cli',
      settings: overrides,
      promote: flag(p, 'no-promote') ? 'never' : 'if-better',
      signal: interrupt.signal,
      workers: num(p, 'workers', { min: 1, max: 16, integer: true }),
      threads: num(p, 'threads', { min: 1, max: 256, integer: true }),
      onStarted: (id) => process.stderr.write(`training run ${id} started\n`),
      onProgress: retrainProgress(),
    });
    // The vessel outcome's fields stay at the top, as before anatomy retrains existed.
    if (flag(p, 'json'))
      printJson({
        ...(outcome.vessel ?? {}),
        vesselSkipped: outcome.vesselSkipped,
        anatomy: outcome.anatomy,
      });
    if (outcome.vessel) process.stderr.write(summary(outcome.vessel));
    process.stderr.write(anatomySummary(outcome));
    return EXIT.ok;
  } catch (err) {
    if (err instanceof RetrainCancelledError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT.interrupted;
    }
    throw err;
  } finally {
    interrupt.release();
    store.close();
  }
}
