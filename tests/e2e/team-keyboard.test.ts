// Keyboard-only and screen-reader use of a team server's dialogs in chromium: the reviewer's Assign, Export,
// Agreement and Send back dialogs driven by keys alone (its name, Tab kept inside, Escape, focus back to the button
// that opened it, progress said once), and the login that comes up over the app when a session ends (a dialog that
// says why, and focus back in the app once logged in).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../main/accounts/passwords.js';
import { createUser, openStore, setPasswordHash } from '../../main/store/index.js';
import { waitFor, holdsFocus as holdsFocusIn } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { seedSecondObserverPredictions } from './seed-store.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };

describe(
  'team dialogs by keyboard (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let page: Page;
    const app = useWorkstation({
      seed: async (dbPath) => {
        const store = openStore(dbPath);
        try {
          await seedSecondObserverPredictions(store, ['01', '02'], ['01']);
          createUser(
            store,
            { name: 'rita', role: 'reviewer', passwordHash: await hashPassword('rita pw 1', FAST) },
            'test',
          );
          createUser(
            store,
            { name: 'anna', role: 'annotator', passwordHash: await hashPassword('anna pw 1', FAST) },
            'test',
          );
        } finally {
          store.close();
        }
      },
    });
    const focused = () =>
      page.evaluate<string>(
        '(() => { const el = document.activeElement; return el?.dataset?.testid ?? el?.getAttribute("name") ?? el?.tagName ?? ""; })()',
      );
    const holdsFocus = (testId: string) => holdsFocusIn(page, testId);

    before(async () => {
      page = app.page;
      await page.goto(app.serve.url);
      // The login page by keys: its user name field holds focus.
      await page.getByLabel('User name').waitFor();
      assert.equal(await focused(), 'username');
      await page.keyboard.type('rita');
      await page.keyboard.press('Tab');
      await page.keyboard.type('rita pw 1');
      await page.keyboard.press('Enter');
      await page.getByTestId('worklist').waitFor();
      await waitFor('both rows', async () => (await page.getByTestId('image-row').count()) === 2);
    });

    test('the Assign dialog: named, Tab kept inside, Escape and Cancel give focus back, Enter assigns', async () => {
      await page.getByLabel('Select 01_test.tif').check();
      const open = page.getByTestId('assign-open');
      await open.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Assign 01_test.tif' });
      await dialog.waitFor();
      await dialog.getByLabel('anna').waitFor();
      for (let i = 0; i < 5; i++) {
        await page.keyboard.press('Tab');
        assert.equal(await holdsFocus('assign-dialog'), true, `Tab ${i + 1} left it`);
      }
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await focused(), 'assign-open');

      await page.keyboard.press('Enter');
      await dialog.getByLabel('anna').waitFor();
      await page.keyboard.press('Tab');
      assert.equal(
        await page.evaluate<string>('document.activeElement?.closest("label")?.textContent ?? ""'),
        ' anna',
      );
      await page.keyboard.press('Space');
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'detached' });
      await waitFor(
        'assigned to anna',
        async () => (await page.getByTestId('team-note').first().textContent()) === 'anna',
      );
      assert.equal(await focused(), 'assign-open');
    });

    test('Export by keys: its progress is said once in the dialog, which keeps focus until the zip is down', async () => {
      await page.goto(app.serve.url);
      await page.getByTestId('image-row').nth(1).waitFor();
      // The export held back until the test lets it go, so that its progress can be read.
      let release = () => {};
      const held = new Promise<void>((r) => (release = r));
      await page.route('**/rpc/exportImages', async (route) => {
        await held;
        await route.continue();
      });
      try {
        const open = page.getByTestId('export-open');
        await open.focus();
        await page.keyboard.press('Enter');
        const dialog = page.getByRole('dialog', { name: 'Export all 2 images' });
        await dialog.waitFor();
        assert.equal(await holdsFocus('export-dialog'), true);
        await page.getByTestId('export-start').focus();
        await page.keyboard.press('Enter');
        await dialog.getByRole('status').filter({ hasText: 'Exporting all 2 images…' }).waitFor();
        assert.equal(await page.getByRole('status').filter({ hasText: 'Exporting' }).count(), 1);
        assert.equal(await holdsFocus('export-dialog'), true, 'focus left the dialog while it exports');
        // Escape does not close it meanwhile, and the keys stay with it (not the worklist behind).
        await page.keyboard.press('Escape');
        assert.equal(await dialog.count(), 1);
        const download = page.waitForEvent('download');
        release();
        await download;
        await dialog.waitFor({ state: 'detached' });
        assert.equal(await focused(), 'export-open');
        await page
          .locator('.toasts[role="status"] .toast', { hasText: /^Downloaded .*\(2 image\(s\)\)$/ })
          .waitFor();
      } finally {
        release();
        await page.unroute('**/rpc/exportImages');
      }
    });

    test('the Agreement dialog by keys: named, its Close holds focus, Escape and Close give it back', async () => {
      const open = page.getByTestId('agreement-open');
      await open.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Reader agreement' });
      await dialog.waitFor();
      await dialog.getByText('No image was assigned to more than one annotator.').waitFor();
      assert.equal(await focused(), 'BUTTON');
      for (let i = 0; i < 3; i++) {
        await page.keyboard.press('Tab');
        assert.equal(await holdsFocus('agreement-dialog'), true, `Tab ${i + 1} left it`);
      }
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await focused(), 'agreement-open');
      await page.keyboard.press('Enter');
      await dialog.waitFor();
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await focused(), 'agreement-open');
    });

    test('Send back by keys: named, Tab kept inside, Escape gives focus back, Enter on Send back sends it', async () => {
      await page.goto(app.serve.url);
      await page.getByTestId('image-row').nth(1).waitFor();
      await page.getByTestId('worklist').focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('review-state').waitFor();
      const open = page.getByTestId('send-back');
      await waitFor('Send back enabled', () => open.isEnabled());
      await open.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Send 01_test.tif back' });
      await dialog.waitFor();
      assert.equal(await focused(), 'TEXTAREA');
      assert.equal(
        await dialog.getByRole('textbox', { name: 'What needs fixing' }).count(),
        1,
        'the comment field has no name',
      );
      for (let i = 0; i < 4; i++) {
        await page.keyboard.press('Tab');
        assert.equal(await holdsFocus('send-back-dialog'), true, `Tab ${i + 1} left it`);
      }
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await focused(), 'send-back');
      // Escape closed the dialog only, not the viewer as well.
      assert.equal(await page.getByTestId('viewer').count(), 1);

      await page.keyboard.press('Enter');
      await dialog.waitFor();
      await page.keyboard.type('the lower arcade is missing');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'detached' });
      await page
        .locator('.toasts[role="status"] .toast', { hasText: 'Sent back to the annotator.' })
        .waitFor();
      assert.equal(await focused(), 'send-back', 'sending it back dropped focus to the page');
      await page.keyboard.press('Escape');
      await page.getByTestId('worklist').waitFor();
    });

    test('a session ending over the viewer: a login dialog that says why, then focus back in the viewer', async () => {
      // The worklist refreshes after the send back: Enter before its rows are back opens nothing.
      await page.getByTestId('image-row').nth(1).waitFor();
      await page.getByTestId('worklist').focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('review-state').waitFor();
      await page.getByTestId('viewer').focus();
      const admin = openStore(app.serve.dbPath);
      try {
        setPasswordHash(admin, 'rita', await hashPassword('rita pw 2', FAST), 'test');
      } finally {
        admin.close();
      }
      // The page's next request (on focus, or a key) meets the ended session.
      await page.evaluate('window.dispatchEvent(new Event("focus"))');
      await page.keyboard.press('v');
      const login = page.getByRole('dialog', { name: 'RetinaStudio' });
      await waitFor(
        'the session ended',
        async () => (await page.getByTestId('login-notice').count()) === 1,
        15_000,
      );
      await login.waitFor();
      assert.equal(await login.getAttribute('aria-modal'), 'true');
      assert.equal(
        await page.evaluate<string>(
          `document.querySelector('.login-overlay').getAttribute('aria-describedby').split(' ').map((id) => document.getElementById(id)?.textContent).join(' ')`,
        ),
        'Your session has ended: log in again to go on where you were.',
      );
      assert.equal(await focused(), 'password');
      await page.keyboard.type('rita pw 2');
      await page.keyboard.press('Enter');
      await login.waitFor({ state: 'detached' });
      assert.equal(await focused(), 'viewer', 'logging in again dropped focus to the page');
    });
  },
);
