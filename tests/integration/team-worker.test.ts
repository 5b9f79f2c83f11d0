// Work on other machines: the team server queues predictions in its PostgreSQL database, two `retina worker`
// processes take them, one is killed (SIGKILL) while it holds a job, and the other finishes everything: every
// job done once, one prediction per image and job, the killed job retried with its first attempt's log kept. A
// job whose input is bad fails at once with its message instead of being retried.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createWorkstation, type CallerContext, type Workstation } from '../../main/handlers/index.js';
import {
  getTeamJob,
  imagesPredictedByJob,
  importPaths,
  jobLog,
  listMaskVersions,
  openStore,
  type Store,
  type TeamJob,
} from '../../main/store/index.js';
import { dispatchRequest, type QueueSnapshot } from '../../shared/contract.js';
import { driveTestImage, repoRoot, tinyModelDir } from '../e2e/model-fixture.js';
import { useStoreBackend } from '../support/store-backends.js';
import { waitFor } from '../e2e/flow.js';

const CLI = join(repoRoot, 'bin', 'retina.mjs');
const ctx: CallerContext = { shell: 'browser', sender: 'test' };
// Short clocks so that a dead worker's job moves on within seconds (production: 5 s beats, 30 s to stale). Not
// shorter: on a loaded two-core CI machine a live worker's beat can be late by seconds, and a stale limit of 3 s
// took jobs from live workers there.
const WORKER_ENV = {
  ...process.env,
  RETINA_FROM_SOURCE: '1',
  RETINA_WORKER_HEARTBEAT_SECONDS: '1',
  RETINA_WORKER_STALE_SECONDS: '10',
  RETINA_WORKER_POLL_SECONDS: '0.3',
};
/** A guard against a hang, not a deadline the test measures. */
const GUARD_MS = 240_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Every worker started, so a wait that fails can say what the workers were doing. */
const started: Worker[] = [];

/** Waits for a probe of the database to find what it looks for; on failure, with the workers' own output. */
const until = async <T>(what: string, probe: () => T | null | undefined): Promise<T> => {
  try {
    return await waitFor(what, () => Promise.resolve(probe() ?? null), GUARD_MS);
  } catch (err) {
    const logs = started.map((w) => `--- ${w.name}\n${w.output.join('').slice(-4000)}`).join('\n');
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
};

interface Worker {
  name: string;
  child: ChildProcess;
  output: string[];
}

function startWorker(url: string, name: string): Worker {
  const child = spawn(
    process.execPath,
    [CLI, 'worker', '--database', url, '--name', name, '--threads', '1'],
    {
      cwd: repoRoot,
      env: WORKER_ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  child.stdout?.on('data', (b: Buffer) => output.push(b.toString()));
  child.stderr?.on('data', (b: Buffer) => output.push(b.toString()));
  const worker = { name, child, output };
  started.push(worker);
  return worker;
}

async function stopWorker(w: Worker): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return;
  const exited = new Promise((r) => w.child.once('exit', r));
  w.child.kill('SIGTERM');
  await Promise.race([exited, sleep(20_000)]);
  if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
}

describe('team jobs on worker processes', () => {
  const backend = useStoreBackend('postgres');
  let url: string;
  let store: Store;
  let ws: Workstation;
  let imageIds: number[];
  const workers: Worker[] = [];

  async function call(channel: string, payload: unknown): Promise<unknown> {
    const r = await dispatchRequest(ws.handlers, channel, payload, ctx);
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  }

  before(async () => {
    url = backend.location('team_worker');
    store = openStore(url);
    const report = await importPaths(
      store,
      ['01', '02', '03', '04'].map((id) => driveTestImage(id)),
      { actor: 'tester' },
    );
    imageIds = report.imported.map((i) => i.imageId);
    assert.equal(imageIds.length, 4);
    ws = await createWorkstation({
      dbPath: url,
      shell: 'browser',
      modelDir: await tinyModelDir(),
      user: 'tester',
      threads: 1,
    });
  });

  after(async () => {
    await Promise.all(workers.map(stopWorker));
    await ws?.close();
    store?.close();
  });

  test('a worker killed while it holds a job: the other worker completes every job exactly once', async () => {
    const queued: string[] = [];
    for (const ids of [imageIds, imageIds.slice(0, 2), imageIds.slice(2), imageIds.slice(1, 3)]) {
      const { jobId } = (await call('predict', { imageIds: ids.map(String) })) as { jobId: string };
      queued.push(jobId);
    }
    // The server lists them as a team queue, queued, before any worker runs.
    const first = (await call('getQueue', {})) as QueueSnapshot;
    assert.equal(first.team, true);
    assert.deepEqual(new Set(first.jobs.map((j) => j.jobId)), new Set(queued));
    assert.ok(first.jobs.every((j) => j.state === 'queued' && j.worker === null && j.attempt === 0));

    const w1 = startWorker(url, 'worker-one');
    workers.push(w1);
    // Worker one is frozen (SIGSTOP) the moment it is seen holding a job that still has images to do, then
    // killed: the job is observably its, mid-way, when it dies.
    let victim: TeamJob | null = null;
    while (!victim) {
      const held = await until('worker one to hold a job', () =>
        queued.map((id) => getTeamJob(store, id)).find((j) => j.state === 'running' && j.worker === w1.name),
      );
      w1.child.kill('SIGSTOP');
      const now = getTeamJob(store, held.id);
      if (now.state === 'running' && now.worker === w1.name) victim = now;
      else w1.child.kill('SIGCONT');
    }
    w1.child.kill('SIGKILL');
    const w2 = startWorker(url, 'worker-two');
    workers.push(w2);

    const finals = await until('every job to end', () => {
      const jobs = queued.map((id) => getTeamJob(store, id));
      return jobs.every((j) => ['done', 'failed', 'cancelled'].includes(j.state)) ? jobs : null;
    });
    const output = (): string => [...w1.output, ...w2.output].join('');
    for (const job of finals)
      assert.equal(job.state, 'done', `${job.id}: ${job.error?.message}\n${output()}`);

    // Exactly once: each job saved one prediction per image it names, and no image has a prediction no job
    // accounts for.
    const expected = new Map<number, number>();
    for (const job of finals) {
      const ids = (job.spec as { imageIds: number[] }).imageIds;
      assert.deepEqual(
        imagesPredictedByJob(store, job.id),
        [...ids].sort((a, b) => a - b),
      );
      for (const id of ids) expected.set(id, (expected.get(id) ?? 0) + 1);
    }
    for (const id of imageIds) {
      const predictions = listMaskVersions(store, id).filter((v) => v.kind === 'prediction');
      assert.equal(predictions.length, expected.get(id) ?? 0, `image ${id}`);
    }

    // The killed job was retried by the other worker, and its first attempt's log is kept.
    const retried = getTeamJob(store, victim.id);
    assert.equal(retried.worker, w2.name);
    assert.ok(retried.attempt >= 2, `attempt ${retried.attempt}`);
    const log = jobLog(store, victim.id, 100);
    assert.ok(log.some((l) => l.worker === w1.name && l.attempt === victim.attempt));
    assert.ok(
      log.some((l) => /^requeued: worker worker-one stopped answering/.test(l.line)),
      log.map((l) => l.line).join('\n'),
    );
    assert.ok(log.some((l) => l.worker === w2.name && /^done: /.test(l.line)));
    // Every job the survivor finished ran on it; nothing is left running on the dead one.
    assert.ok(finals.every((j) => j.worker === w2.name || j.worker === w1.name));

    // The queue the app shows carries the worker, the attempt and the log's last lines.
    const shown = ((await call('getQueue', {})) as QueueSnapshot).jobs.find((j) => j.jobId === victim.id);
    assert.equal(shown?.worker, w2.name);
    assert.equal(shown?.state, 'done');
    assert.ok((shown?.log.length ?? 0) > 0);
  });

  test('uploaded files reach the worker through the shared folder; importing them again finds them there', async () => {
    const bytes = new Uint8Array(await readFile(driveTestImage('05')));
    const upload = { files: [{ name: '05_test.tif', bytes }] };
    const first = (await call('importFiles', upload)) as { jobId: string };
    const done = await ws.jobs.wait(first.jobId);
    assert.equal(done.state, 'done', done.error?.message);
    assert.match(done.message ?? '', /Imported 1 image/);
    assert.equal(getTeamJob(store, first.jobId).worker, 'worker-two');
    const again = await ws.jobs.wait(((await call('importFiles', upload)) as { jobId: string }).jobId);
    assert.match(again.message ?? '', /1 already in the database/);
  });

  test('bad input fails the job at once with its message, without retries', async () => {
    const w2 = workers.find((w) => w.name === 'worker-two');
    assert.ok(w2 && w2.child.exitCode === null, 'worker two is still running');
    // An image deleted after the job was queued (the handler checks ids, so the job is queued directly).
    const model = (await call('getActiveModel', {})) as { model: { id: string } | null };
    const info = ws.jobs.start('predict', 1, {
      kind: 'predict',
      dbPath: url,
      imageIds: [987_654],
      modelId: Number(model.model?.id ?? 1),
      modelDir: await tinyModelDir(),
      threads: 1,
      author: 'tester',
      anatomy: null,
    });
    const job = await until('the bad job to end', () => {
      const j = getTeamJob(store, info.jobId);
      return ['done', 'failed', 'cancelled'].includes(j.state) ? j : null;
    });
    assert.equal(job.state, 'failed');
    assert.equal(job.error?.code, 'not-found');
    assert.match(job.error?.message ?? '', /987654/);
    assert.ok(!job.error?.message.includes('\n'));
    assert.equal(job.attempt, 1, 'not retried');
    const listed = (await call('listJobs', {})) as { jobs: { jobId: string; state: string }[] };
    assert.equal(listed.jobs.find((j) => j.jobId === info.jobId)?.state, 'failed');
  });

  test('a worker stopped with Ctrl+C hands its job back, and another worker finishes it', async () => {
    const w2 = workers.find((w) => w.name === 'worker-two')!;
    const { jobId } = (await call('predict', { imageIds: imageIds.map(String) })) as { jobId: string };
    await until('worker two to take the job', () => {
      const j = getTeamJob(store, jobId);
      return j.state === 'running' && j.worker === w2.name ? j : null;
    });
    const exited = new Promise<number | null>((r) => w2.child.once('exit', (code) => r(code)));
    w2.child.kill('SIGTERM');
    // The CLI's exit status for an interrupted command, after the worker stopped in order.
    assert.equal(await exited, 130, w2.output.join(''));
    assert.match(w2.output.join(''), /worker worker-two was stopped during attempt/);
    const back = getTeamJob(store, jobId);
    if (back.state !== 'done') {
      // Stopped mid-way (the usual case): queued again, saying why.
      assert.equal(back.state, 'queued');
      assert.match(back.message ?? '', /worker worker-two was stopped/);
      const w3 = startWorker(url, 'worker-three');
      workers.push(w3);
      const done = await ws.jobs.wait(jobId);
      assert.equal(done.state, 'done', done.error?.message);
      assert.equal(getTeamJob(store, jobId).worker, w3.name);
    }
    assert.deepEqual(
      imagesPredictedByJob(store, jobId),
      [...imageIds].sort((a, b) => a - b),
    );
  });
});
