// A team server end to end: an annotator and a reviewer log in from two browser contexts (1280x720) against one
// `retina serve` on one SQLite file. The annotator sees only her image, corrects it with a brush stroke and
// submits it; the reviewer sends it back with a comment; the annotator reads the comment in the viewer, fixes it
// and submits again; the reviewer approves. Every step is checked against the stored versions and their authors.
// Then a session that ends (a password change) under an unsaved stroke: she logs in again and the stroke is saved.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../main/accounts/passwords.js';
import {
  createUser,
  latestMaskVersion,
  listMaskVersions,
  loadAvLabels,
  openStore,
  setAssignees,
  setPasswordHash,
} from '../../main/store/index.js';
import { brushRadius, countDiff, drag, recordPointer, replay, same, storedMask, waitFor } from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { seedSecondObserverPredictions } from './seed-store.js';
import { teamClient } from './team-client.js';
import { dice } from '../../shared/agreement.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };
const PASSWORD = { rita: 'rita reviews carefully', anna: 'anna annotates well', otto: 'otto reads too' };

describe(
  'team review end to end (browser mode, two browser contexts)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let anna: Page;
    let rita: Page;
    let seeded: Uint8Array;
    const app = useWorkstation({
      pages: 2,
      seed: async (dbPath) => {
        const store = openStore(dbPath);
        [seeded] = await seedSecondObserverPredictions(store, ['01', '02', '03'], ['01']);
        const roles = { rita: 'reviewer', anna: 'annotator', otto: 'annotator' } as const;
        for (const [name, role] of Object.entries(roles)) {
          const passwordHash = await hashPassword(PASSWORD[name as keyof typeof roles], FAST);
          createUser(store, { name, role, passwordHash }, 'test');
        }
        store.close();
      },
    });

    const versions = () => {
      const store = openStore(app.serve.dbPath, { readonly: true });
      try {
        return listMaskVersions(store, 1).map((v) => `${v.kind}:${v.author}`);
      } finally {
        store.close();
      }
    };
    const logIn = async (page: Page, user: string, password: string) => {
      await page.getByLabel('User name').fill(user);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Log in' }).click();
    };
    const openRow = async (page: Page, id: number) => {
      await page.locator(`[data-testid="image-row"][data-image-id="${id}"]`).dblclick();
      await page.getByTestId('review-state').waitFor();
    };
    const banner = (page: Page, state: string) =>
      page.locator(`[data-testid="handoff-banner"][data-state="${state}"]`);

    before(() => {
      [anna, rita] = app.pages;
    });

    test('log in, annotate, submit, send back with a comment, fix, re-approve', async () => {
      assert.doesNotMatch(app.serve.url, /token/, 'a team server prints no token');
      assert.match(app.serve.output(), /team mode/);

      // The reviewer logs in and assigns image 1 to the annotator.
      await rita.goto(app.serve.url);
      await logIn(rita, 'rita', PASSWORD.rita);
      await rita.getByTestId('worklist').waitFor();
      assert.equal(await rita.getByTestId('account').textContent(), 'rita · reviewer');
      await waitFor('all rows', async () => (await rita.getByTestId('image-row').count()) === 3);
      await rita.getByLabel('Select 01_test.tif').check();
      await rita.getByTestId('assign-open').click();
      await rita.getByTestId('assign-dialog').getByLabel('anna').check();
      await rita.getByRole('button', { name: 'Assign', exact: true }).click();
      await waitFor(
        'assigned to anna',
        async () => (await rita.getByTestId('team-note').first().textContent()) === 'anna',
      );
      await rita.screenshot({ path: await screenshotPath('59-team-assigned') });

      // The annotator: a wrong password first, then her worklist of the one image assigned to her.
      await anna.goto(app.serve.url);
      await logIn(anna, 'anna', 'not the password');
      assert.equal(await anna.getByTestId('login-error').textContent(), 'Wrong user name or password.');
      await logIn(anna, 'anna', PASSWORD.anna);
      await anna.getByTestId('worklist').waitFor();
      assert.equal(await anna.getByTestId('account').textContent(), 'anna · annotator');
      await waitFor('her one row', async () => (await anna.getByTestId('image-row').count()) === 1);
      assert.equal(await anna.getByTestId('image-row').getAttribute('data-image-id'), '1');

      // She corrects it with one brush stroke and submits it; she has no Approve.
      await openRow(anna, 1);
      assert.equal(await anna.getByTestId('approve').count(), 0);
      assert.equal(
        await anna.locator('.review-hint').textContent(),
        'Saved as you edit; submit it for review when it is right.',
      );
      await anna.keyboard.press('0');
      await recordPointer(anna);
      const radius = await brushRadius(anna);
      const first = seeded.slice();
      replay(first, await drag(anna, { x: 90.5, y: 250.5 }, { x: 470.5, y: 300.5 }), radius, 1);
      assert.ok(countDiff(first, seeded) > 500, 'the stroke changed too little to test');
      await anna.getByTestId('submit-review').click();
      await banner(anna, 'awaiting-review').waitFor();
      assert.ok(
        same((await storedMask(app.serve.dbPath, 1, 'draft'))?.data, first),
        'what was submitted is the stroke',
      );

      // The reviewer sees it awaiting review (told by the server's event) and sends it back with a comment.
      await waitFor(
        'awaiting review',
        async () => (await rita.getByTestId('team-note').first().textContent()) === 'anna · awaiting review',
      );
      await openRow(rita, 1);
      await banner(rita, 'awaiting-review').waitFor();
      await rita.getByTestId('send-back').click();
      await rita.getByLabel('What needs fixing').fill('The inferior arcade is broken at the crossing.');
      await rita.getByRole('button', { name: 'Send back', exact: true }).click();
      await banner(rita, 'needs-work').waitFor();
      await rita.screenshot({ path: await screenshotPath('60-team-sent-back') });

      // The annotator reads the comment, fixes the mask and submits again.
      // A reload keeps her on the image (the address names it); back to her list, it needs work.
      await anna.reload();
      await anna.getByTestId('mask-canvas').waitFor();
      assert.match(anna.url(), /#\/image\/1$/);
      await anna.getByRole('button', { name: 'Back to worklist' }).click();
      await anna.getByTestId('worklist').waitFor();
      await waitFor(
        'needs work in her list',
        async () => (await anna.getByTestId('team-note').textContent()) === 'anna · needs work',
      );
      await openRow(anna, 1);
      assert.equal(
        await anna.getByTestId('handoff-comment').textContent(),
        ' The inferior arcade is broken at the crossing.',
      );
      await anna.screenshot({ path: await screenshotPath('61-team-comment') });
      await anna.keyboard.press('0');
      await recordPointer(anna);
      const fixed = first.slice();
      replay(fixed, await drag(anna, { x: 120.5, y: 420.5 }, { x: 300.5, y: 470.5 }), radius, 1);
      assert.ok(countDiff(fixed, first) > 200, 'the fix changed too little to test');
      await anna.getByTestId('submit-review').click();
      await banner(anna, 'awaiting-review').waitFor();

      // The reviewer opens it again and approves the fix.
      await rita.getByRole('button', { name: 'Back to worklist' }).click();
      await waitFor(
        'awaiting review again',
        async () => (await rita.getByTestId('team-note').first().textContent()) === 'anna · awaiting review',
      );
      await openRow(rita, 1);
      await banner(rita, 'awaiting-review').waitFor();
      await rita.getByTestId('approve').click();
      await waitFor('the approval', async () => (await storedMask(app.serve.dbPath, 1, 'approved')) !== null);
      assert.ok(
        same((await storedMask(app.serve.dbPath, 1, 'approved'))?.data, fixed),
        'the approval is the fixed mask',
      );
      assert.deepEqual(versions(), [
        'prediction:model:e2e-tiny',
        'draft:anna',
        'draft:anna',
        'approved:rita',
      ]);
    });

    test("two readers read image 2 blind; the reviewer sees their Dice and approves one reader's draft", async () => {
      await rita.getByRole('button', { name: 'Back to worklist' }).click();
      await rita.getByTestId('worklist').waitFor();
      await rita.getByLabel('Select 01_test.tif').uncheck();
      await rita.getByLabel('Select 02_test.tif').check();
      await rita.getByTestId('assign-open').click();
      await rita.getByTestId('assign-dialog').getByLabel('anna').check();
      await rita.getByTestId('assign-dialog').getByLabel('otto').check();
      await rita.getByRole('button', { name: 'Assign', exact: true }).click();
      await waitFor(
        'two readers',
        async () => (await rita.getByTestId('team-note').nth(1).textContent()) === 'anna, otto',
      );

      // Both readers save a draft (through the app's own client, as their browsers would), each with the vessels'
      // artery/vein labels and the disc where that reader placed it.
      const drafts: Record<string, Uint8Array> = {};
      const labels: Record<string, Uint8Array> = {};
      const discs = { anna: { x: 400, y: 300, diameter: 80 }, otto: { x: 410, y: 290, diameter: 84 } };
      for (const [name, start] of [
        ['anna', 10_000],
        ['otto', 10_200],
      ] as const) {
        const client = await teamClient(app.serve, name, PASSWORD[name]);
        try {
          const m = new Uint8Array(565 * 584);
          m.fill(1, start, start + 1000);
          drafts[name] = m;
          labels[name] = Uint8Array.from(m, (v, i) => (v ? (i % 2) + 1 : 0));
          await client.invoke('saveDraft', {
            imageId: '2',
            width: 565,
            height: 584,
            mask: m,
            av: labels[name],
            anatomy: { disc: discs[name], fovea: null, laterality: null },
            parentVersionId: null,
          });
          const seen = await client.invoke('getMasks', { imageId: '2' });
          assert.equal(seen.draft?.author, name, `${name} sees only their own draft`);
        } finally {
          client.close();
        }
      }
      const expected = dice(drafts.anna, drafts.otto);

      await rita.locator('[data-testid="image-row"][data-image-id="2"]').dblclick();
      await rita.getByTestId('readers').waitFor();
      assert.equal(
        await rita.getByTestId('readers-dice').textContent(),
        `Agreement (Dice) ${expected.toFixed(3)}`,
      );
      await rita.screenshot({ path: await screenshotPath('62-team-readers') });
      // A plain Approve would take the draft on screen (the newest, otto's) unseen: it asks whose reading wins.
      await rita.getByTestId('approve').click();
      const confirm = rita.getByTestId('approve-reader-confirm');
      await confirm.waitFor();
      assert.match((await confirm.textContent()) ?? '', /the mask shown is otto's draft .* anna drew it too/);
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      assert.equal(await storedMask(app.serve.dbPath, 2, 'approved'), null, 'nothing approved before a yes');
      await rita.getByTestId('approve-reader-otto').click();
      await waitFor('the approval', async () => (await storedMask(app.serve.dbPath, 2, 'approved')) !== null);
      assert.ok(
        same((await storedMask(app.serve.dbPath, 2, 'approved'))?.data, drafts.otto),
        "otto's draft was approved",
      );
      // As it is: his artery/vein labels and his disc too (they were dropped, leaving the approval without labels
      // and measured on the model's disc).
      const store = openStore(app.serve.dbPath, { readonly: true });
      try {
        const approval = latestMaskVersion(store, 2, 'approved')!;
        assert.deepEqual(approval.anatomy?.disc, discs.otto, "otto's disc approved with his draft");
        assert.ok(
          same((await loadAvLabels(store, approval)) ?? undefined, labels.otto),
          "otto's labels approved",
        );
      } finally {
        store.close();
      }

      await rita.getByRole('button', { name: 'Back to worklist' }).click();
      await rita.getByTestId('agreement-open').click();
      // The table is drawn once the agreement has arrived (allTextContents reads at once, it does not wait).
      await rita.getByTestId('agreement-annotators').waitFor();
      const perAnnotator = await rita
        .getByTestId('agreement-annotators')
        .locator('tbody tr')
        .allTextContents();
      assert.deepEqual(perAnnotator, [`anna1${expected.toFixed(3)}`, `otto1${expected.toFixed(3)}`]);
      await rita.keyboard.press('Escape');
    });

    test('a session that ends under an unsaved stroke: she logs in again over the app and the stroke is saved', async () => {
      const store = openStore(app.serve.dbPath);
      try {
        setAssignees(store, [3], ['anna'], 'rita');
      } finally {
        store.close();
      }
      await anna.getByRole('button', { name: 'Back to worklist' }).click();
      await anna.getByTestId('worklist').waitFor();
      await anna.goto(`${new URL(app.serve.url).origin}/#/image/3`);
      await anna.getByTestId('review-state').waitFor();
      // Her autosave is held until her session has ended (her password changed by an administrator).
      let letGo = (): void => {};
      const held = new Promise<void>((resolve) => (letGo = resolve));
      await anna.route('**/rpc/saveDraft', async (route) => {
        await held;
        await route.continue();
      });
      await anna.keyboard.press('0');
      await recordPointer(anna);
      const drawn = new Uint8Array(565 * 584);
      replay(
        drawn,
        await drag(anna, { x: 150.5, y: 200.5 }, { x: 420.5, y: 330.5 }),
        await brushRadius(anna),
        1,
      );
      assert.ok(
        countDiff(drawn, new Uint8Array(drawn.length)) > 500,
        'the stroke changed too little to test',
      );
      const admin = openStore(app.serve.dbPath);
      try {
        setPasswordHash(admin, 'anna', await hashPassword('a brand new password', FAST), 'test');
      } finally {
        admin.close();
      }
      letGo();

      // The login comes up over the viewer, her name filled in; nothing was saved while she was out.
      await anna.getByTestId('login-notice').waitFor();
      assert.equal(
        await anna.getByTestId('login-notice').textContent(),
        'Your session has ended: log in again to go on where you were.',
      );
      assert.equal(await anna.getByLabel('User name').inputValue(), 'anna');
      assert.equal(await storedMask(app.serve.dbPath, 3, 'draft'), null);
      await anna.screenshot({ path: await screenshotPath('63-team-session-ended') });
      await anna.unroute('**/rpc/saveDraft');
      await anna.getByLabel('Password').fill('a brand new password');
      await anna.getByRole('button', { name: 'Log in' }).click();

      // Logged in again: the same viewer, and the stroke made while the session was ending is saved (it used to
      // be thrown away with the app, the login page replacing it).
      await waitFor('the stroke saved', async () =>
        same((await storedMask(app.serve.dbPath, 3, 'draft'))?.data, drawn),
      );
      assert.equal(await anna.getByTestId('login-notice').count(), 0);
      assert.match(anna.url(), /#\/image\/3$/);
      await anna.getByRole('button', { name: 'Back to worklist' }).click();
      await anna.getByTestId('worklist').waitFor();
      await anna.getByTestId('logout').click();
      assert.equal(await anna.getByTestId('login-notice').textContent(), 'Logged out.');
    });

    test('the next person to log in is not taken to (or told of) the image the last one had open', async () => {
      await logIn(anna, 'anna', 'a brand new password');
      await anna.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await waitFor('the image in the address', async () => new URL(anna.url()).hash === '#/image/1');
      await anna.getByTestId('logout').click();
      await anna.getByTestId('login-notice').waitFor();
      assert.equal(new URL(anna.url()).hash, '');
      // Otto logs in at the same tab: his worklist, no "no image 1 among the images assigned to otto".
      await logIn(anna, 'otto', PASSWORD.otto);
      await anna.locator('[data-testid="image-row"][data-image-id="2"]').waitFor();
      await anna.waitForTimeout(500);
      assert.equal(await anna.locator('.toast').count(), 0, await anna.locator('.toasts').innerText());
      await anna.getByTestId('logout').click();
      await anna.getByTestId('login-notice').waitFor();
    });

    test("the next person to log in at the screen gets their own worklist, not the last one's search", async () => {
      // Anna narrows her worklist to one file's drafts, then logs out at the shared screen.
      await logIn(anna, 'anna', 'a brand new password');
      await anna.getByTestId('worklist').waitFor();
      await anna.getByTestId('search').fill('03_test');
      await anna.getByRole('button', { name: 'draft', exact: true }).click();
      await anna.getByTestId('logout').click();
      await anna.getByTestId('login-notice').waitFor();

      // Otto logs in there: his image is listed, with none of her filters (they said "No images match." to him).
      await logIn(anna, 'otto', PASSWORD.otto);
      await anna.locator('[data-testid="image-row"][data-image-id="2"]').waitFor();
      assert.equal(await anna.getByTestId('search').inputValue(), '');
      assert.equal(
        await anna.getByRole('button', { name: 'draft', exact: true }).getAttribute('aria-pressed'),
        'false',
      );

      // Anna, back again, finds hers as she left them.
      await anna.getByTestId('logout').click();
      await anna.getByTestId('login-notice').waitFor();
      await logIn(anna, 'anna', 'a brand new password');
      await anna.getByTestId('worklist').waitFor();
      await waitFor('her search', async () => (await anna.getByTestId('search').inputValue()) === '03_test');
    });
  },
);
