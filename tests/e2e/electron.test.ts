// The same review flow in the Electron shell (playwright-core's _electron): import, predict, brush, erase,
// undo/redo, approve, reload, and the approved mask in the SQLite file equals the expected mask pixel for pixel.
// Runs wherever the Electron binary is installed; reported as skipped where it is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { _electron } from 'playwright-core';
import { electronSqliteBinding } from '../../bin/electron-sqlite.mjs';
import {
  countDiff,
  drag,
  recordPointer,
  replay,
  brushRadius,
  same,
  storedMask,
  storedPrediction,
  waitFor,
} from './flow.js';
import { buildRenderer, screenshotPath } from './harness.js';
import { driveTestImage, repoRoot, tinyModelDir } from './model-fixture.js';

function electronBinary(): string | null {
  try {
    const p = createRequire(import.meta.url)('electron') as unknown;
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

test('Electron shell: import, predict, correct, approve, reload; the stored mask is exactly the expected one', async (t) => {
  const binary = electronBinary();
  if (!binary) {
    t.skip('electron binary not installed');
    return;
  }
  // Compile the main process (and the job worker) into .tmp/, inside the package so bundled paths resolve.
  const outDir = path.join(repoRoot, '.tmp', 'electron-e2e');
  const tsc = spawnSync(
    process.execPath,
    [
      path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      'tsconfig.electron.json',
      '--outDir',
      outDir,
    ],
    {
      cwd: repoRoot,
      encoding: 'utf8',
    },
  );
  assert.equal(tsc.status, 0, `tsc failed:\n${tsc.stdout}${tsc.stderr}`);
  const [modelDir, rendererDir] = await Promise.all([tinyModelDir(), buildRenderer()]);
  const dbPath = path.join(await mkdtemp(path.join(tmpdir(), 'retina-electron-db-')), 'retina.db');

  // The database module built for Electron, as npm start makes it (Node's build does not load in Electron).
  const sqlite = electronSqliteBinding(repoRoot);
  assert.ok(sqlite.path, `no better-sqlite3 for Electron: ${sqlite.error}`);
  const app = await _electron.launch({
    executablePath: binary,
    args: [path.join(outDir, 'main', 'app', 'electron-main.js'), '--db', dbPath, '--model', modelDir],
    env: { ...process.env, RETINA_RENDERER_DIR: rendererDir, RETINA_SQLITE_BINDING: sqlite.path },
  });
  try {
    const page = await app.firstWindow();
    await page.getByTestId('worklist').waitFor();
    // The native dialog cannot be driven; answer it from the main process instead.
    await app.evaluate(
      ({ dialog }, paths) => {
        dialog.showOpenDialog = (async () => ({
          canceled: false,
          filePaths: paths,
        })) as typeof dialog.showOpenDialog;
      },
      [driveTestImage('01'), driveTestImage('02')],
    );
    // The page has no Node: the bridge is the only way to main.
    assert.equal(await page.evaluate('typeof require'), 'undefined');
    assert.equal(await page.evaluate('typeof window.retina.invoke'), 'function');

    await page.getByTestId('import-files').click();
    await waitFor(
      'two imported rows',
      async () => (await page.getByTestId('image-row').count()) === 2,
      60_000, // a hang guard, as in workstation.test.ts
    );
    for (const row of await page.getByTestId('image-row').all())
      await row.locator('input[type=checkbox]').check();
    await page.getByTestId('predict-selected').click();
    await waitFor(
      'both predicted',
      async () => (await page.getByTestId('image-status').allTextContents()).every((s) => s === 'predicted'),
      120_000,
    );

    const pred = await storedPrediction(dbPath, 1);
    await page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
    await page.getByTestId('mask-canvas').waitFor();
    await recordPointer(page);
    const radius = await brushRadius(page);
    const expected = pred.mask.slice();
    await page.getByTestId('tool-brush').click();
    replay(expected, await drag(page, { x: 80.3, y: 300.6 }, { x: 480.7, y: 340.2 }), radius, 1);
    const afterPaint = expected.slice();
    await page.keyboard.press('e');
    replay(expected, await drag(page, { x: 200.4, y: 120.8 }, { x: 260.6, y: 460.3 }), radius, 0);
    await page.keyboard.press('Control+z');
    await waitFor('the draft after undo', async () =>
      same((await storedMask(dbPath, 1, 'draft'))?.data, afterPaint),
    );
    await page.keyboard.press('Control+Shift+z');
    await page.getByTestId('approve').click();
    const approved = await waitFor('an approved mask', () => storedMask(dbPath, 1, 'approved'));
    assert.equal(countDiff(approved.data, expected), 0);

    // A reload keeps the viewer open on the image the address names; back to the worklist to read the status.
    await page.reload();
    await page.getByTestId('mask-canvas').waitFor();
    await page.getByRole('button', { name: 'Back to worklist' }).click();
    await page.getByTestId('worklist').waitFor();
    await waitFor(
      'approved after reload',
      async () =>
        (await page
          .locator('[data-testid="image-row"][data-image-id="1"] [data-testid="image-status"]')
          .textContent()) === 'approved',
    );
    await page.screenshot({ path: await screenshotPath('electron-worklist') });
  } finally {
    await app.close();
  }
});
