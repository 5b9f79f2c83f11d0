// A reading centre's day, compressed: a real PostgreSQL, `retina serve` on it in team mode, two `retina worker`
// processes, and 20 simulated annotators as real HTTP and WebSocket clients (log in, take the edit lease of
// their image, keep it alive, brush and autosave every second or so). Prediction jobs run on the workers
// meanwhile, and one worker is killed with SIGKILL while it holds a job. Stops after 2,000 saves or 10 minutes.
// Then every client's log is replayed against the database: each save it was told succeeded must be there with
// exactly its pixels (else lost or corrupted), each deliberately stale save must have been refused and kept as a
// draft with its pixels, and each image's current draft must be its annotator's last save. Prints p50/p95 save
// latency and the jobs completed; exits non-zero unless p95 < 100 ms and nothing is lost or corrupted.
//
// Usage: npm run bench:team [-- --clients 20 --saves 2000 --minutes 10]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { datasetsRoot, packageRoot } from '../main/node/package-root.js';
import {
  createUser,
  getMaskVersion,
  latestMasks,
  listKeptDrafts,
  loadKeptMask,
  loadMask,
  openStore,
} from '../main/store/index.js';
import type { QueueSnapshot } from '../shared/contract.js';
import { hashPassword } from '../main/accounts/passwords.js';
import {
  decodeFrame,
  encodeFrame,
  EVENTS_PATH,
  FRAME_CONTENT_TYPE,
  RPC_PATH_PREFIX,
} from '../shared/transport.js';
import { startPostgres } from '../tests/support/postgres.js';
import { exitUnlessDatasets } from './datasets-needed.js';
import { benchArgs, positiveInt } from './bench-args.js';

const USAGE = 'Usage: npm run bench:team [-- --clients 20 --saves 2000 --minutes 10] [--profile DIR]';
const args = benchArgs('team', USAGE, {
  clients: { type: 'string', default: '20' },
  saves: { type: 'string', default: '2000' },
  minutes: { type: 'string', default: '10' },
  // Writes a CPU profile of `retina serve` into this folder (where a save's time goes).
  profile: { type: 'string' },
});
const CLIENTS = positiveInt('team', USAGE, '--clients', args.clients, 20);
const SAVES = positiveInt('team', USAGE, '--saves', args.saves, 2000);
const MINUTES = positiveInt('team', USAGE, '--minutes', args.minutes, 10);
const PASSWORD = 'bench-password-0123';
const CLI = join(packageRoot(), 'bin', 'retina.mjs');

function retina(argv: string[], input?: string): string {
  const r = spawnSync(process.execPath, [CLI, ...argv], { encoding: 'utf8', input });
  if (r.status !== 0) throw new Error(`retina ${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function startChild(
  argv: string[],
  ready: RegExp,
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const look = (d: Buffer): void => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve({ child, match: m });
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    child.once('exit', (code) => reject(new Error(`retina ${argv[0]} exited (${code}):\n${out}`)));
  });
}

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

class Client {
  cookie = '';
  readonly clientId = randomBytes(8).toString('hex');
  constructor(
    readonly origin: string,
    readonly name: string,
  ) {}

  async login(): Promise<void> {
    const res = await fetch(`${this.origin}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: this.name, password: PASSWORD }),
    });
    if (res.status !== 200) throw new Error(`${this.name}: login ${res.status} ${await res.text()}`);
    this.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  }

  async call<T>(channel: string, payload: unknown): Promise<T> {
    const res = await fetch(`${this.origin}${RPC_PATH_PREFIX}${channel}`, {
      method: 'POST',
      headers: { cookie: this.cookie, 'content-type': FRAME_CONTENT_TYPE },
      body: encodeFrame(payload),
    });
    const result = decodeFrame(new Uint8Array(await res.arrayBuffer())) as
      { ok: true; value: T } | { ok: false; error: { code: string; message: string } };
    if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
    return result.value;
  }

  events(): WebSocket {
    const ws = new WebSocket(`${this.origin.replace(/^http/, 'ws')}${EVENTS_PATH}`, {
      headers: { cookie: this.cookie, origin: this.origin },
    });
    ws.on('error', () => undefined);
    return ws;
  }
}

interface SaveLog {
  client: string;
  imageId: string;
  versionId: string | null;
  hash: string;
  /** A save sent with an outdated parent on purpose: it must be refused and kept. */
  stale: boolean;
  refused: boolean;
}

// Before PostgreSQL starts: without DRIVE there is nothing to import.
exitUnlessDatasets('team', datasetsRoot(), ['DRIVE/test/images', 'DRIVE/training/images']);
const pg = await startPostgres();
const dir = mkdtempSync(join(tmpdir(), 'retina-team-bench-'));
const children: ChildProcess[] = [];
let exitCode = 1;
try {
  const url = pg.createDatabase('team_bench');
  const shared = join(dir, 'shared');
  retina(['db', 'init', '--database', url, '--shared-dir', shared]);
  const drive = join(datasetsRoot(), 'DRIVE');
  const images = [
    ...readdirSync(join(drive, 'test', 'images')).map((f) => join(drive, 'test', 'images', f)),
    ...readdirSync(join(drive, 'training', 'images')).map((f) => join(drive, 'training', 'images', f)),
  ]
    .sort()
    .slice(0, Math.max(CLIENTS, 4));
  retina(['db', 'import', '--database', url, ...images]);
  // The accounts: one reviewer and an annotator per client, through the store (the CLI path is tested elsewhere).
  const setup = openStore(url);
  const hash = await hashPassword(PASSWORD);
  createUser(setup, { name: 'reviewer', role: 'reviewer', passwordHash: hash }, 'bench');
  const names = Array.from({ length: CLIENTS }, (_, i) => `ann${String(i + 1).padStart(2, '0')}`);
  for (const n of names) createUser(setup, { name: n, role: 'annotator', passwordHash: hash }, 'bench');
  setup.close();

  const server = await startChild(
    ['serve', '--database', url],
    /^(http:\/\/[^/\s]+)\//m,
    args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : [],
  );
  children.push(server.child);
  const origin = server.match[1];
  const workers = await Promise.all(
    [1, 2].map((n) =>
      startChild(
        ['worker', '--database', url, '--name', `worker-${n}`, '--threads', '1'],
        /taking jobs from/,
      ),
    ),
  );
  children.push(...workers.map((w) => w.child));
  // The workers stand for other machines: here they share two cores with the server, so they yield to it.
  for (const w of workers) if (w.child.pid) setPriority(w.child.pid, 10);

  const reviewer = new Client(origin, 'reviewer');
  await reviewer.login();
  const listed = await reviewer.call<{ items: { id: string; width: number; height: number }[] }>(
    'listImages',
    {
      offset: 0,
      limit: 100,
    },
  );
  const targets = listed.items.slice(0, CLIENTS);
  for (const [i, img] of targets.entries()) {
    await reviewer.call('assignImages', { imageIds: [img.id], users: [names[i]] });
  }

  const logs: SaveLog[] = [];
  const latencies: number[] = [];
  let saves = 0;
  const deadline = Date.now() + MINUTES * 60_000;
  const done = (): boolean => saves >= SAVES || Date.now() > deadline;
  let eventsSeen = 0;

  // Prediction jobs through the queue, as a reviewer's "predict" does; one worker is killed once it holds one.
  let jobsQueued = 0;
  const queueJobs = async (): Promise<void> => {
    while (!done()) {
      // Two images every 20 s: the workers share this machine's cores with the server here, not in a clinic.
      const ids = listed.items.slice(2 * (jobsQueued % 10), 2 * (jobsQueued % 10) + 2).map((i) => i.id);
      await reviewer.call('predict', { imageIds: ids });
      jobsQueued++;
      await new Promise((r) => setTimeout(r, 20_000));
    }
  };
  let killed = false;
  // Worker 1 is killed once it is seen running a job (or, failing that, after a minute).
  const killOne = async (): Promise<void> => {
    const give = Date.now() + 60_000;
    while (!done() && Date.now() < give) {
      const q = await reviewer.call<QueueSnapshot>('getQueue', {});
      if (q.jobs.some((j) => j.state === 'running' && j.worker === 'worker-1')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    workers[0].child.kill('SIGKILL');
    killed = true;
  };

  const annotate = async (i: number): Promise<void> => {
    const client = new Client(origin, names[i]);
    await client.login();
    const ws = client.events();
    ws.on('message', () => eventsSeen++);
    const image = targets[i];
    const lease = await client.call<{ granted: boolean; heartbeatMs: number }>('acquireEditLease', {
      imageId: image.id,
      clientId: client.clientId,
    });
    if (!lease.granted) throw new Error(`${client.name} did not get the lease of image ${image.id}`);
    const heartbeat = setInterval(() => {
      void client
        .call('acquireEditLease', { imageId: image.id, clientId: client.clientId })
        .catch(() => undefined);
    }, lease.heartbeatMs);
    const mask = new Uint8Array(image.width * image.height);
    let parent: string | null = null;
    let older: string | null = null;
    let n = 0;
    try {
      while (!done()) {
        // A stroke, then the app's autosave 1.5 s after it: one save every 1.5-4.5 s per annotator.
        await new Promise((r) => setTimeout(r, 1500 + Math.random() * 3000));
        // A brush dab: a disc of radius 6 somewhere on the image.
        const cx = 10 + Math.floor(Math.random() * (image.width - 20));
        const cy = 10 + Math.floor(Math.random() * (image.height - 20));
        const value = Math.random() < 0.8 ? 1 : 0;
        for (let y = -6; y <= 6; y++)
          for (let x = -6; x <= 6; x++)
            if (x * x + y * y <= 36) mask[(cy + y) * image.width + cx + x] = value;
        // Every 25th save pretends the window missed the last save: it must be refused and kept.
        const stale: boolean = ++n % 25 === 0 && older !== null;
        const payload: Record<string, unknown> = {
          imageId: image.id,
          width: image.width,
          height: image.height,
          mask,
          parentVersionId: stale ? older : parent,
          clientId: client.clientId,
        };
        const t = performance.now();
        const entry: SaveLog = {
          client: client.name,
          imageId: image.id,
          versionId: null,
          hash: sha(mask),
          stale,
          refused: false,
        };
        try {
          const saved: { versionId: string } = await client.call('saveDraft', payload);
          entry.versionId = saved.versionId;
          older = parent;
          parent = saved.versionId;
        } catch (err) {
          if ((err as { code?: string }).code !== 'conflict') throw err;
          entry.refused = true;
        }
        latencies.push(performance.now() - t);
        logs.push(entry);
        saves++;
      }
    } finally {
      clearInterval(heartbeat);
      await client
        .call('releaseEditLease', { imageId: image.id, clientId: client.clientId })
        .catch(() => undefined);
      ws.close();
    }
  };

  const t0 = performance.now();
  await Promise.all([...names.map((_, i) => annotate(i)), queueJobs(), killOne()]);
  const seconds = (performance.now() - t0) / 1000;
  // Let the surviving worker finish what is queued (bounded).
  const queueDeadline = Date.now() + 120_000;
  let queue = await reviewer.call<QueueSnapshot>('getQueue', {});
  while (queue.jobs.some((j) => j.state === 'queued' || j.state === 'running')) {
    if (Date.now() > queueDeadline) break;
    await new Promise((r) => setTimeout(r, 2000));
    queue = await reviewer.call<QueueSnapshot>('getQueue', {});
  }
  const completed = queue.jobs.filter((j) => j.state === 'done').length;
  const failed = queue.jobs.filter((j) => j.state === 'failed').length;
  const unfinished = queue.jobs.filter((j) => j.state === 'queued' || j.state === 'running').length;
  const retried = queue.jobs.filter((j) => j.attempt > 1).length;

  // The replay.
  const store = openStore(url);
  let lost = 0;
  let corrupted = 0;
  let keptMissing = 0;
  let overwritten = 0;
  const kept = new Map<string, string[]>();
  for (const target of targets) {
    const hashes: string[] = [];
    for (const k of listKeptDrafts(store, Number(target.id))) hashes.push(sha(await loadKeptMask(store, k)));
    kept.set(target.id, hashes);
  }
  const lastHash = new Map<string, string>();
  let unexpectedRefusals = 0;
  for (const e of logs) {
    if (e.refused) {
      // A refused edit must survive as a kept draft with its pixels; only the stale ones should be refused at all.
      if (!kept.get(e.imageId)?.includes(e.hash)) keptMissing++;
      if (!e.stale) unexpectedRefusals++;
      continue;
    }
    if (e.stale) overwritten++; // a stale save accepted would have overwritten a newer one
    let version;
    try {
      version = getMaskVersion(store, Number(e.versionId));
    } catch {
      lost++;
      continue;
    }
    if (String(version.imageId) !== e.imageId || version.author !== e.client) corrupted++;
    else if (sha((await loadMask(store, version)).data) !== e.hash) corrupted++;
    lastHash.set(e.imageId, e.hash);
  }
  for (const [imageId, h] of lastHash) {
    const draft = latestMasks(store, Number(imageId)).draft;
    if (!draft || sha((await loadMask(store, draft)).data) !== h) overwritten++;
  }
  store.close();

  const sorted = [...latencies].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p95 = percentile(sorted, 95);
  const stale = logs.filter((e) => e.stale).length;
  console.log(
    `clients ${CLIENTS}, saves ${logs.length} in ${seconds.toFixed(0)} s (${(logs.length / seconds).toFixed(1)}/s)`,
  );
  console.log(`save latency p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (goal p95 < 100 ms)`);
  console.log(
    `stale saves sent ${stale}: refused and kept ${stale - keptMissing - overwritten}, kept draft missing ${keptMissing}`,
  );
  console.log(
    `lost edits ${lost}, corrupted ${corrupted}, overwritten ${overwritten}, current saves refused ${unexpectedRefusals}`,
  );
  console.log(`events received over WebSocket ${eventsSeen}`);
  console.log(
    `jobs: ${jobsQueued} prediction jobs queued, ${completed} completed, ${failed} failed, ${unfinished} unfinished, ` +
      `${retried} retried after a lost worker; worker-1 ${killed ? 'killed with SIGKILL mid-run' : 'not killed'}`,
  );
  const ok =
    p95 < 100 &&
    lost === 0 &&
    corrupted === 0 &&
    overwritten === 0 &&
    keptMissing === 0 &&
    unexpectedRefusals === 0 &&
    killed &&
    unfinished === 0 &&
    failed === 0;
  console.log(ok ? 'OK' : 'NOT MET');
  exitCode = ok ? 0 : 1;
} finally {
  for (const c of children) c.kill('SIGTERM');
  pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
