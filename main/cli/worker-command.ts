// `retina worker`: runs the team's prediction, import and retraining jobs on this machine, taken from the team
// database's queue (pg-boss), until Ctrl+C. Any number of workers on any number of machines may run at once; each
// needs the team's shared folder mounted (at the same path, or given with --shared-dir).
import { availableParallelism, hostname } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { activeModel, isPostgresUrl, openStore, redactUrl, type Store } from '../store/index.js';
import { TeamQueue } from '../jobs/queue/team-queue.js';
import { TeamWorker } from '../jobs/queue/team-worker.js';
import { DiagnosticsLog, defaultLogPath } from '../node/diagnostics-log.js';
import {
  HEARTBEAT_SECONDS,
  STALE_AFTER_SECONDS,
  STALE_SECONDS_ENV,
  tunedSeconds as seconds,
} from '../jobs/queue/queue-policy.js';
import { num, parseCommand, str } from './args.js';
import { databaseFromArgs, databaseHelp, DATABASE_OPTIONS } from './database-args.js';
import { EXIT, UsageError } from './errors.js';
import { untilInterrupted } from './serve-command.js';

const HELP = `
Usage: retina worker --database postgres://USER@HOST/DB [--shared-dir DIR] [--concurrency N] [--threads N] [--model DIR]

Takes prediction, import and retraining jobs from a team database's queue and runs them on this machine, until
Ctrl+C (the jobs it is running stop after their current image and go back to the queue). A worker that dies
loses its jobs to the other workers within about half a minute.

Options:
${databaseHelp(20)}
  --concurrency N   jobs run at once (default 1)
  --model DIR       a model folder to predict with when a job's model folder is not reachable from here
  --threads N       ONNX Runtime threads per job (default: the cores divided among the jobs)
  --name NAME       this worker's name in the queue (default: host:pid)

The shared folder must be mounted here: a worker that cannot see the files of a study with images, or the active
model's folder (without --model), refuses to start.
`;

/**
 * Why this machine cannot reach the team's shared folder, or null. Found out at start: a worker without it took
 * jobs and failed each for good (every image unreadable here), though a worker that has the share could do them.
 * Judged by the files folder of a database that has images: a share that is not mounted often leaves its empty
 * mount point, and a new team's folder may not be made yet.
 */
function sharedFolderProblem(store: Store): string | null {
  const images = Number(store.db.prepare('SELECT COUNT(*) FROM images').pluck().get());
  if (images === 0 || existsSync(store.filesDir)) return null;
  const shared = dirname(store.filesDir);
  const where = existsSync(shared)
    ? `the shared folder ${shared} has no files folder though the database has ${images} image(s)`
    : `the shared folder ${shared} does not exist on this machine`;
  return `${where}: mount the team's shared folder here, or give its path with --shared-dir`;
}

/**
 * Why this machine cannot predict with the team's active model, or null: its folder is not reachable here and no
 * --model stands in. Found out at start: such a worker took predictions and failed each for good.
 */
function modelFolderProblem(store: Store, model: string | undefined): string | null {
  const active = activeModel(store);
  if (model || !active || existsSync(join(active.dirPath, 'retina-model.json'))) return null;
  return (
    `the active model's folder ${active.dirPath} is not reachable from this machine: keep models in the team's ` +
    'shared folder and mount it here, or give --model DIR'
  );
}

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    {
      ...DATABASE_OPTIONS,
      concurrency: { type: 'string' },
      model: { type: 'string' },
      threads: { type: 'string' },
      name: { type: 'string' },
    },
    HELP,
  );
  if (!p) return EXIT.ok;
  const url = databaseFromArgs(p);
  if (!isPostgresUrl(url)) {
    throw new UsageError('retina worker needs a team database: --database postgres://USER@HOST/DB');
  }
  const concurrency = num(p, 'concurrency', { min: 1, max: 64, integer: true }) ?? 1;
  const threads =
    num(p, 'threads', { min: 1, max: 256, integer: true }) ??
    Math.max(1, Math.floor(availableParallelism() / concurrency));
  const name = str(p, 'name') ?? `${hostname()}:${process.pid}`;
  const model = str(p, 'model');
  // Found out at start, not at the first job that needs it (which then failed on every image).
  if (model && !existsSync(join(resolve(model), 'retina-model.json')))
    throw new UsageError(`--model ${model}: not a model folder (no retina-model.json in it)`);
  const log = (line: string): void => void process.stderr.write(`retina worker ${name}: ${line}\n`);

  // --shared-dir reaches the store through RETINA_SHARED_DIR (databaseFromArgs sets it).
  const store = openStore(url, { create: false });
  const unshared = sharedFolderProblem(store) ?? modelFolderProblem(store, model);
  if (unshared) {
    store.close();
    throw new UsageError(unshared);
  }
  let queue: TeamQueue;
  try {
    queue = await TeamQueue.open(url, `retina-worker@${name}`, (err) => log(`queue: ${err.message}`));
  } catch (err) {
    store.close();
    throw err;
  }
  const worker = new TeamWorker(store, queue, {
    name,
    concurrency,
    threads,
    modelDir: model ? resolve(model) : undefined,
    heartbeatSeconds: seconds('RETINA_WORKER_HEARTBEAT_SECONDS', HEARTBEAT_SECONDS),
    staleAfterSeconds: seconds(STALE_SECONDS_ENV, STALE_AFTER_SECONDS),
    pollSeconds: seconds('RETINA_WORKER_POLL_SECONDS', 2),
    log,
    supportLog: new DiagnosticsLog(defaultLogPath()),
  });
  worker.start();
  log(`taking jobs from ${redactUrl(url)} (files in ${store.filesDir}; ${concurrency} at a time)`);
  await untilInterrupted();
  log('stopping: running jobs end after their current step');
  await worker.stop();
  await queue.close();
  store.close();
  return EXIT.ok;
}
