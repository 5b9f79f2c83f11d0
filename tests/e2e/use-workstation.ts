// The browser-mode workstation most e2e suites start the same way: the renderer (and a model) built, `retina serve`
// started on its database, chromium with one page per person, and after the suite all of it closed and the
// server's exit code checked, and no page's console showing an error. Call inside a describe(): hooks the suite
// registers afterwards run after these.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { HttpClient } from '../../renderer/src/transport/httpClient.js';
import {
  buildRenderer,
  launchChromium,
  serveClient,
  startServe,
  stopServeCleanly,
  type ServeProcess,
} from './harness.js';

export interface WorkstationOptions {
  /** The model folder `retina serve` runs; absent: the database's active model. */
  model?: () => Promise<string>;
  /** Fills a fresh database file (its path given) before the server opens it. */
  seed?: (dbPath: string) => Promise<void>;
  /** A database that already exists (a path or a PostgreSQL URL) instead of a fresh one. */
  database?: () => string;
  /** Added to the server's environment. */
  env?: () => Promise<Record<string, string>>;
  /** Each page's viewport; 1280x720 unless given. */
  viewport?: { width: number; height: number };
  acceptDownloads?: boolean;
  /** Each page's time zone (an IANA name); the machine's unless given. */
  timezoneId?: string;
  /** How many pages, each in its own browser context (one per person at the screen); 1 unless given. */
  pages?: number;
  /** Runs once the server is stopped, even when it did not stop cleanly (temp folders to remove). */
  afterStop?: () => Promise<void>;
}

export interface Workstation {
  readonly serve: ServeProcess;
  readonly browser: Browser;
  /** The first page. */
  readonly page: Page;
  readonly pages: readonly Page[];
  /** The renderer's HTTP client from Node, made on first use and closed after the suite. */
  readonly client: HttpClient;
  /** Every page's uncaught errors, also logged as they happen. */
  readonly pageErrors: string[];
  /**
   * Stops the server (checking its exit code) and starts it again on the same database, as a relaunch does.
   * `samePort`: where the open pages expect it (their requests fail meanwhile); `whileDown` runs between the two;
   * `args`: more options for the new start (--new-token).
   */
  restart(opts?: { samePort?: boolean; whileDown?: () => Promise<void>; args?: string[] }): Promise<void>;
}

/**
 * Console errors that are the product working as meant: a team server's 401 before login (the browser logs every
 * refused request), requests or the event socket cut off or refused while a test restarts the server, and the
 * event socket of a window whose token a server started with a new one refuses, and a proxy's body limit a test
 * stands in for (413).
 */
const EXPECTED_CONSOLE_ERRORS = [
  /the server responded with a status of 401 \(Unauthorized\)/,
  /the server responded with a status of 413 \(Payload Too Large\)/,
  /^WebSocket connection to '\S+' failed: .*ERR_CONNECTION_REFUSED/,
  /^WebSocket connection to '\S+' failed: HTTP Authentication failed; no valid credentials available$/,
  /^Failed to load resource: net::ERR_CONNECTION_(RESET|REFUSED)$/,
];

export function useWorkstation(opts: WorkstationOptions = {}): Workstation {
  let serveOpts: Parameters<typeof startServe>[0] | undefined;
  let serve: ServeProcess | undefined;
  let browser: Browser | undefined;
  let client: HttpClient | undefined;
  const pages: Page[] = [];
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];

  const ready = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`the workstation's ${name} is set once its before hook has run`);
    return value;
  };

  before(async () => {
    const [modelDir, rendererDir, env] = await Promise.all([opts.model?.(), buildRenderer(), opts.env?.()]);
    let dbPath = opts.database?.();
    if (opts.seed) {
      dbPath = path.join(await mkdtemp(path.join(tmpdir(), 'retina-e2e-db-')), 'retina.db');
      await opts.seed(dbPath);
    }
    serveOpts = { modelDir, rendererDir, dbPath, env };
    serve = await startServe(serveOpts);
    browser = await launchChromium();
    const count = opts.pages ?? 1;
    for (let i = 0; i < count; i++) {
      const page = await browser.newPage({
        viewport: opts.viewport ?? { width: 1280, height: 720 },
        acceptDownloads: opts.acceptDownloads,
        timezoneId: opts.timezoneId,
      });
      const label = count > 1 ? `page ${i}` : 'page';
      page.on('pageerror', (err) => {
        pageErrors.push(err.message);
        console.error(`${label} error:`, err.message);
      });
      page.on('console', (m) => {
        if (m.type() === 'error' && !EXPECTED_CONSOLE_ERRORS.some((re) => re.test(m.text())))
          consoleErrors.push(`${label}: ${m.text()}`);
      });
      pages.push(page);
    }
  });

  after(async () => {
    client?.close();
    await browser?.close();
    try {
      await stopServeCleanly(serve);
    } finally {
      await opts.afterStop?.();
    }
    // What a user with the developer tools open would see in red (a CSP source the browser rejected, say).
    assert.deepEqual(consoleErrors, [], 'the pages logged errors');
  });

  return {
    get serve() {
      return ready(serve, 'server');
    },
    get browser() {
      return ready(browser, 'browser');
    },
    get page() {
      return ready(pages[0], 'page');
    },
    pages,
    get client() {
      client ??= serveClient(ready(serve, 'server'));
      return client;
    },
    pageErrors,
    async restart(how = {}) {
      // The client's address names the old server's port.
      client?.close();
      client = undefined;
      const { dbPath, port } = ready(serve, 'server');
      await stopServeCleanly(serve);
      await how.whileDown?.();
      serve = await startServe({
        ...ready(serveOpts, 'server'),
        dbPath,
        port: how.samePort ? port : undefined,
        ...(how.args ? { args: how.args } : {}),
      });
    },
  };
}
