// End-to-end plumbing: the renderer built once per run, `retina serve` started as a real child process on a temp
// database, and Debian's chromium driven by playwright-core.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium, type Browser } from 'playwright-core';
import WebSocket from 'ws';
import {
  createHttpClient,
  type FetchLike,
  type HttpClient,
  type WebSocketCtor,
} from '../../renderer/src/transport/httpClient.js';
import { repoRoot } from './model-fixture.js';

export const CHROMIUM = process.env.RETINA_CHROMIUM ?? '/usr/bin/chromium';
export const artifactsDir = path.join(repoRoot, 'test-results', 'e2e');

/** The built renderer: $RETINA_RENDERER_DIR when given, else a fresh vite build into a temp folder. */
export async function buildRenderer(): Promise<string> {
  if (process.env.RETINA_RENDERER_DIR) return process.env.RETINA_RENDERER_DIR;
  const out = await mkdtemp(path.join(tmpdir(), 'retina-renderer-'));
  const vite = path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(
    process.execPath,
    [
      vite,
      'build',
      '--config',
      'renderer/vite.config.ts',
      '--outDir',
      out,
      '--emptyOutDir',
      '--logLevel',
      'error',
    ],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`vite build failed:\n${r.stderr}${r.stdout}`);
  return out;
}

export interface ServeProcess {
  url: string;
  port: number;
  token: string;
  dbPath: string;
  output: () => string;
  stop(): Promise<number | null>;
}

/** Starts `retina serve` on a temp database and resolves once it has printed its URL. */
export async function startServe(opts: {
  /** Absent: the database's active model (as a restarted app would use it). */
  modelDir?: string;
  rendererDir: string;
  dbPath?: string;
  /** Added to this process's environment for the server (e.g. RETINA_ANATOMY_MODELS). */
  env?: Record<string, string>;
  /** A fixed port (a server started again where the open pages expect it); absent: any free one. */
  port?: number;
  /** More options of `retina serve` (--new-token, --public-url). */
  args?: string[];
}): Promise<ServeProcess> {
  const dbPath = opts.dbPath ?? path.join(await mkdtemp(path.join(tmpdir(), 'retina-e2e-db-')), 'retina.db');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'bin', 'retina.mjs'),
      'serve',
      '--db',
      dbPath,
      ...(opts.modelDir ? ['--model', opts.modelDir] : []),
      '--port',
      String(opts.port ?? 0),
      ...(opts.args ?? []),
    ],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...opts.env,
        RETINA_RENDERER_DIR: opts.rendererDir,
        RETINA_FROM_SOURCE: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`retina serve printed no URL in 60 s:\n${err}`)), 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      // A team server's address carries no token (everyone logs in).
      const m = /^(http:\/\/127\.0\.0\.1:\d+\/(?:\?token=\S+)?)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`retina serve exited with ${code}:\n${err}`));
    });
  });
  const parsed = new URL(url);
  return {
    url,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token') ?? '',
    dbPath,
    output: () => out + err,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export async function screenshotPath(name: string): Promise<string> {
  await mkdir(artifactsDir, { recursive: true });
  return path.join(artifactsDir, `${name}.png`);
}

/** The renderer's own HTTP client, run from Node against a `retina serve` (for setup and checks beside the page). */
export function serveClient(serve: ServeProcess): HttpClient {
  return createHttpClient({
    baseUrl: new URL(serve.url).origin,
    token: serve.token,
    fetch: fetch as unknown as FetchLike,
    WebSocket: WebSocket as unknown as WebSocketCtor,
  });
}

/** Stops `retina serve` and checks that it exited cleanly (0, or 130 after SIGINT), showing its output if not. */
export async function stopServeCleanly(serve: ServeProcess | null | undefined): Promise<void> {
  const code = await serve?.stop();
  assert.ok(code === 0 || code === 130, `retina serve exited with ${code}:\n${serve?.output()}`);
}
