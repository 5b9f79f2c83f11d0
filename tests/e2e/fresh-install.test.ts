// What a new user does after `npm ci`, against the built product rather than the sources: the README's first
// command (the built `bin/retina.mjs`, RETINA_FROM_SOURCE unset, from a folder with no ../shared) segments the
// shipped sample; `npm start -- --db X --port 0` prints a URL; the page loads in Chromium; "Open the sample study"
// on the empty worklist shows the sample with a vessel overlay, and the page logs no error on the way.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { readImage } from '../../main/ml/io/image-io.js';
import { chromiumAvailable, launchChromium, screenshotPath } from './harness.js';
import { repoRoot } from './model-fixture.js';
import { storedPrediction, waitFor } from './flow.js';

const sampleDir = path.join(repoRoot, 'resources', 'samples');
const builtCli = path.join(repoRoot, 'dist', 'main', 'cli', 'main.js');

/** A user's environment: the built product, no tsx switch, no datasets folder anywhere it could find one. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RETINA_DATASETS: path.join(tmpdir(), 'no-such-datasets-folder'),
  };
  delete env.RETINA_FROM_SOURCE;
  delete env.RETINA_RENDERER_DIR;
  delete env.RETINA_DEFAULT_MODEL;
  delete env.RETINA_MODEL;
  delete env.NODE_OPTIONS; // the test runner's tsx loader must not reach the product
  return env;
}

/** npm ci's `prepare` and CI's `npm run build` build dist/ and the renderer; a bare checkout builds them here. */
function ensureBuilt(): void {
  const steps: [string, string][] = [
    [builtCli, 'build:main'],
    [path.join(repoRoot, 'renderer', 'dist', 'index.html'), 'build:renderer'],
  ];
  for (const [file, script] of steps) {
    if (existsSync(file)) continue;
    const r = spawnSync('npm', ['run', '-s', script], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 0, `npm run ${script} failed:\n${r.stderr}${r.stdout}`);
  }
}

/** A fundus photograph's vessels cover a few percent of the frame; none, or most of it, means a broken pipeline. */
function assertVesselShare(mask: ArrayLike<number>, what: string): void {
  let vessel = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) vessel++;
  const share = vessel / mask.length;
  assert.ok(share > 0.02 && share < 0.2, `${what}: vessel share ${share.toFixed(3)} is not a vessel mask`);
}

describe('a fresh install, as a new user runs it (built product, no datasets)', () => {
  let home: string;

  before(async () => {
    ensureBuilt();
    home = await mkdtemp(path.join(tmpdir(), 'retina-new-user-'));
    assert.equal(
      existsSync(path.join(home, '..', 'shared')),
      false,
      'the user folder must have no ../shared',
    );
  });

  test('README command 1: the built CLI segments the shipped sample from a folder with no ../shared', async () => {
    const samples = readdirSync(sampleDir).filter((f) => f.endsWith('.jpg'));
    assert.ok(samples.length > 0, 'resources/samples ships a photograph');
    const r = spawnSync(
      process.execPath,
      [
        path.join(repoRoot, 'bin', 'retina.mjs'),
        'segment',
        ...samples.map((f) => path.join(sampleDir, f)),
        '--out',
        'out',
      ],
      { cwd: home, env: userEnv(), encoding: 'utf8', timeout: 300_000 },
    );
    assert.equal(r.status, 0, `retina segment failed:\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /tsx/i, 'the built product must not compile sources');
    for (const f of samples) {
      const stem = f.replace(/\.jpg$/, '');
      const photo = await readImage(path.join(sampleDir, f));
      const mask = await readImage(path.join(home, 'out', `${stem}_mask.png`));
      const prob = await readImage(path.join(home, 'out', `${stem}_prob.png`));
      assert.deepEqual([mask.width, mask.height], [photo.width, photo.height]);
      assert.deepEqual([prob.width, prob.height, prob.bitDepth], [photo.width, photo.height, 16]);
      assertVesselShare(mask.data, `${stem}_mask.png`);
    }
  });

  describe(
    'npm start, then the sample study in Chromium',
    { skip: !chromiumAvailable() && 'chromium not installed' },
    () => {
      let browser: Browser;
      let stop: () => Promise<void> = async () => {};
      let url = '';
      let npmPid = 0;
      const dbPath = (): string => path.join(home, 'studies.db');

      before(async () => {
        const child = spawn(
          'npm',
          ['--prefix', repoRoot, 'start', '--', '--db', 'studies.db', '--port', '0'],
          {
            cwd: home,
            env: userEnv(),
            stdio: ['ignore', 'pipe', 'pipe'],
            // Its own process group: npm, start.mjs and the server stop together. `--prefix` is the checkout; the
            // relative --db resolves against the folder npm was started from (INIT_CWD), as a user expects.
            detached: true,
          },
        );
        npmPid = child.pid!;
        let out = '';
        child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
        stop = () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            process.kill(-child.pid!, 'SIGTERM');
          });
        url = await waitFor(
          'npm start to print a URL',
          async () => {
            if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${out}`);
            return /^(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(out)?.[1] ?? false;
          },
          300_000,
        );
        browser = await launchChromium();
      });

      after(async () => {
        await browser?.close();
        await stop();
      });

      test('the page loads and "Open the sample study" shows the sample with a vessel overlay', async () => {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        // What a user who opens the developer tools would see: nothing red (a rejected CSP source was).
        const consoleErrors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') consoleErrors.push(m.text());
        });
        await page.goto(url);
        await page.getByTestId('worklist').waitFor();
        await page.getByTestId('open-sample').click();
        const canvas = page.getByTestId('mask-canvas');
        await canvas.waitFor({ timeout: 300_000 });
        await page.getByTestId('save-state').waitFor();
        // The prediction is in the database, and it looks like vessels.
        const stored = await storedPrediction(dbPath(), 1);
        assertVesselShare(stored.mask, 'the stored prediction');
        const withMask = await canvas.screenshot({ path: await screenshotPath('fresh-install-sample') });
        await page.getByTestId('toggle-mask').click();
        const without = await canvas.screenshot();
        assert.ok(!withMask.equals(without), 'hiding the mask changed nothing: no overlay was shown');
        assert.deepEqual(consoleErrors, [], 'the page logged errors');
      });

      test('About credits the sample photograph', async () => {
        const page = await browser.newPage();
        await page.goto(url);
        await page.getByTestId('nav-about').click();
        const text = await page.getByTestId('about').textContent();
        assert.match(text ?? '', /Häggström/);
        assert.match(text ?? '', /CC0/);
      });

      test('a SIGTERM to npm alone (a supervisor stopping what it started) stops the server too', async () => {
        process.kill(npmPid, 'SIGTERM');
        await waitFor(
          'the server to stop',
          async () => {
            try {
              await fetch(url);
              return false;
            } catch {
              return true;
            }
          },
          20_000,
        );
      });
    },
  );
});
