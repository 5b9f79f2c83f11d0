// A team server as a hospital deploys it: `retina serve --public-url` behind a reverse proxy that serves the app
// under http://intranet.example:PORT/retina/ (tests/support/reverse-proxy.ts; chromium resolves the name to this
// machine). The page's logins, calls, event socket and report links must all stay under /retina/: anything sent to
// the site's root reaches the proxy's other sites, not RetinaStudio.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { hashPassword } from '../../main/accounts/passwords.js';
import { createUser, openStore } from '../../main/store/index.js';
import { startReverseProxy, type ReverseProxy } from '../support/reverse-proxy.js';
import {
  buildRenderer,
  chromiumAvailable,
  CHROMIUM,
  startServe,
  stopServeCleanly,
  type ServeProcess,
} from './harness.js';
import { seedSecondObserverPredictions } from './seed-store.js';
import { chromium } from 'playwright-core';

const FAST = { N: 2 ** 10, r: 8, p: 1 };

describe(
  'team server under a reverse proxy sub-path',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let dir: string;
    let serve: ServeProcess;
    let proxy: ReverseProxy;
    let browser: Browser;

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'retina-e2e-proxy-'));
      const dbPath = path.join(dir, 'retina.db');
      const store = openStore(dbPath);
      await seedSecondObserverPredictions(store, ['01'], []);
      createUser(
        store,
        { name: 'rita', role: 'reviewer', passwordHash: await hashPassword('rita pass', FAST) },
        't',
      );
      store.close();
      let upstream = 0;
      proxy = await startReverseProxy({
        upstreamPort: () => upstream,
        prefix: '/retina/',
        publicHost: () => `intranet.example:${proxy.port}`,
        proto: 'http',
      });
      serve = await startServe({
        rendererDir: await buildRenderer(),
        dbPath,
        args: ['--public-url', `http://intranet.example:${proxy.port}/retina/`],
      });
      upstream = serve.port;
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--host-resolver-rules=MAP intranet.example 127.0.0.1'],
      });
    });

    after(async () => {
      await browser?.close();
      await proxy?.close();
      await stopServeCleanly(serve);
      await rm(dir, { recursive: true, force: true });
    });

    test('logs in, lists the images, and hears events, all under /retina/', async () => {
      const page = await browser.newPage();
      const outside: string[] = [];
      const base = `http://intranet.example:${proxy.port}/retina/`;
      page.on('request', (r) => {
        if (!r.url().startsWith(base)) outside.push(r.url());
      });
      page.on('websocket', (w) => {
        if (!w.url().startsWith(base.replace(/^http/, 'ws'))) outside.push(w.url());
      });
      const socketOpen = page.waitForEvent('websocket', (w) =>
        w.url().startsWith(`${base.replace(/^http/, 'ws')}events`),
      );
      await page.goto(base);
      await page.getByLabel('User name').fill('rita');
      await page.getByLabel('Password').fill('rita pass');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByTestId('worklist').waitFor();
      await page.getByTestId('image-row').first().waitFor();
      await socketOpen;
      assert.deepEqual(outside, [], 'requests that left /retina/ for the site root');
      await page.close();
    });
  },
);
