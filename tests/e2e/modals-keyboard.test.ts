// Every other in-app dialog driven by keys alone in chromium, as team-keyboard does for the reviewer's: About,
// Clinical details, Erase, Help, Compare visits and Roll back each open from the keyboard, have a name, keep Tab
// inside, close on Escape and give focus back to what opened them. Rolling back gives focus to the model table,
// not the page's body (its "Roll back to this" button goes with the rollback).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { openStore, promoteModel, registerModel } from '../../main/store/index.js';
import { holdsFocus, waitFor } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { tinyModelDir } from './model-fixture.js';
import { seedSecondObserverPredictions } from './seed-store.js';

/** The element focus is on, by its test id (else its tag). */
const focused = (page: Page) =>
  page.evaluate<string>(
    '(() => { const el = document.activeElement; return el?.dataset?.testid ?? el?.tagName ?? ""; })()',
  );

/**
 * The dialog `open` brings up with keys from the focused `opener`: named `name`, modal, Tab and Shift+Tab kept
 * inside it, Escape closes it and focus goes back to `opener`.
 */
async function driveDialog(
  page: Page,
  opts: { opener: Locator; open: string; name: string | RegExp; testId: string; role?: 'alertdialog' },
) {
  await opts.opener.focus();
  const openerId = await focused(page);
  await page.keyboard.press(opts.open);
  const dialog = page.getByRole(opts.role ?? 'dialog', { name: opts.name });
  await dialog.waitFor();
  assert.equal(await dialog.getAttribute('data-testid'), opts.testId);
  assert.equal(await dialog.getAttribute('aria-modal'), 'true');
  await waitFor('focus in the dialog', () => holdsFocus(page, opts.testId));
  for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
    await page.keyboard.press(key);
    assert.equal(await holdsFocus(page, opts.testId), true, `${key} left ${opts.testId}`);
  }
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await focused(page), openerId, `focus did not go back after ${opts.testId}`);
}

describe(
  'every dialog by keyboard (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const app = useWorkstation({
      // Two predicted images; e2e-tiny promoted, then another model promoted over it (so it can be rolled back to).
      seed: async (dbPath) => {
        const store = openStore(dbPath);
        try {
          await seedSecondObserverPredictions(store, ['01', '02'], ['01', '02']);
          const next = registerModel(
            store,
            { name: 'e2e-next', dirPath: await tinyModelDir(), architecture: {} },
            'test',
          );
          promoteModel(store, next.id, 'test');
        } finally {
          store.close();
        }
      },
    });

    before(async () => {
      // One patient's right eye at two visits, for Compare visits.
      for (const [id, visitDate] of [
        ['1', '2025-03-01'],
        ['2', '2026-03-01'],
      ])
        await app.client.invoke('setClinicalInfo', {
          imageIds: [id],
          info: { patientId: 'P-7', eye: 'OD', visitDate },
        });
    });

    const openWorklist = async () => {
      await app.page.goto(app.serve.url);
      await app.page.getByTestId('image-row').nth(1).waitFor();
    };
    const openViewer = async () => {
      await openWorklist();
      await app.page.getByTestId('worklist').focus();
      await app.page.keyboard.press('Enter');
      await app.page.locator('[data-testid="viewer"][data-image-id]').waitFor();
    };

    test('About', async () => {
      await openWorklist();
      await driveDialog(app.page, {
        opener: app.page.getByTestId('nav-about'),
        open: 'Enter',
        name: /^RetinaStudio /,
        testId: 'about',
      });
    });

    test('Clinical details and Erase, from a row chosen by keys', async () => {
      const page = app.page;
      await openWorklist();
      await page.getByTestId('worklist').focus();
      await page.keyboard.press('Space');
      await page.getByTestId('clinical-details').waitFor();
      await driveDialog(page, {
        opener: page.getByTestId('clinical-details'),
        open: 'Enter',
        name: 'Clinical details',
        testId: 'clinical-dialog',
      });
      await driveDialog(page, {
        opener: page.getByTestId('erase-open'),
        open: 'Enter',
        name: 'Erase for good',
        testId: 'erase-dialog',
        role: 'alertdialog',
      });
    });

    test('Help, from the viewer', async () => {
      await openViewer();
      await driveDialog(app.page, {
        opener: app.page.getByTestId('viewer'),
        open: '?',
        name: 'Keyboard',
        testId: 'help-overlay',
      });
    });

    test('Compare visits, from the measurements panel', async () => {
      const page = app.page;
      await openViewer();
      await page.getByTestId('viewer').focus();
      await page.keyboard.press('Shift+M');
      const picker = page.getByLabel('Compare with visit');
      await picker.focus();
      await page.keyboard.press('ArrowDown');
      await waitFor('a visit chosen', async () => (await picker.inputValue()) !== '');
      await driveDialog(page, {
        opener: page.getByTestId('compare-open'),
        open: 'Enter',
        name: 'Two visits compared',
        testId: 'compare-visits',
      });
    });

    test('Roll back: the dialog, then focus on the models table once rolled back', async () => {
      const page = app.page;
      await openWorklist();
      await page.getByTestId('nav-models').focus();
      await page.keyboard.press('Enter');
      const table = page.locator('[data-testid="model-task"][data-task="vessel"]');
      const rollback = table.getByTestId('model-row').filter({ hasText: 'e2e-tiny' }).getByTestId('rollback');
      await rollback.waitFor();
      await driveDialog(page, {
        opener: rollback,
        open: 'Enter',
        name: 'Roll back to e2e-tiny?',
        testId: 'rollback-dialog',
      });
      await page.keyboard.press('Enter');
      await page.getByTestId('rollback-reason').waitFor();
      // Cancel holds focus; Roll back is just before it.
      await page.keyboard.press('Shift+Tab');
      assert.equal(await focused(page), 'rollback-confirm');
      await page.keyboard.press('Enter');
      await page.locator('.toast', { hasText: 'Rolled back to e2e-tiny' }).waitFor();
      await waitFor('e2e-tiny in use', async () => (await rollback.count()) === 0);
      await waitFor('focus handed on', async () => (await focused(page)) !== 'BODY', 5000).catch(() => {});
      assert.equal(await focused(page), 'model-task', 'focus is not on the vessel models');
      assert.equal(await holdsFocus(page, 'models-screen'), true);
    });
  },
);
