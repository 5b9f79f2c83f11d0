// A reviewer's worklist filters in a real browser (team server, browser mode, 1280x720): "Submitted for review"
// keeps the images awaiting review (not the one sent back, not the untouched one), pressed by mouse or keyboard;
// the visit date range keeps the visits inside it; both survive a reload, and the annotator's list keeps its own.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../main/accounts/passwords.js';
import {
  createUser,
  listMaskVersions,
  loadMask,
  openStore,
  saveMaskVersion,
  sendBack,
  setAssignees,
  setClinical,
  submitForReview,
} from '../../main/store/index.js';
import { waitFor } from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { seedSecondObserverPredictions } from './seed-store.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };
const PASSWORD = { rita: 'rita reviews carefully', anna: 'anna annotates well' };

describe(
  'worklist review and visit filters end to end (team, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let rita: Page;
    let anna: Page;
    const app = useWorkstation({
      pages: 2,
      seed: async (dbPath) => {
        const store = openStore(dbPath);
        await seedSecondObserverPredictions(store, ['01', '02', '03'], ['01', '02', '03']);
        for (const [name, role] of [
          ['rita', 'reviewer'],
          ['anna', 'annotator'],
        ] as const) {
          const passwordHash = await hashPassword(PASSWORD[name], FAST);
          createUser(store, { name, role, passwordHash }, 'test');
        }
        setAssignees(store, [1, 2, 3], ['anna'], 'rita');
        // One patient, three visits; anna corrects 01 and 02 and submits both; rita sends 02 back.
        const visits = ['2024-03-01', '2024-06-01', '2025-01-02'];
        visits.forEach((visitDate, i) =>
          setClinical(store, [i + 1], { patientId: 'P-1', visitDate }, 'test'),
        );
        for (const id of [1, 2]) {
          const predicted = await loadMask(store, listMaskVersions(store, id)[0]);
          const data = predicted.data.map((v, i) => (i < 100 ? 1 : v));
          await saveMaskVersion(store, {
            imageId: id,
            kind: 'draft',
            author: 'anna',
            mask: { ...predicted, data },
          });
          submitForReview(store, id, 'anna');
        }
        sendBack(store, 2, 'the disc margin', 'rita');
        store.close();
      },
    });

    before(() => {
      [rita, anna] = app.pages;
    });

    const logIn = async (page: Page, user: string, password: string) => {
      await page.goto(app.serve.url);
      await page.getByLabel('User name').fill(user);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByTestId('worklist').waitFor();
    };
    /** The rows' file names, read from their checkboxes' labels (the name cell carries team notes too). */
    const rowNames = (page: Page) =>
      page
        .locator('[data-testid="image-row"] input[type="checkbox"]')
        .evaluateAll((boxes) =>
          boxes.map((b) => (b.getAttribute('aria-label') ?? '').replace(/^Select /, '')),
        );
    /** Waits until the worklist shows exactly `names`, in this order (saying what it shows when it does not). */
    const showsRows = async (page: Page, what: string, names: string[]) => {
      try {
        await waitFor(what, async () => JSON.stringify(await rowNames(page)) === JSON.stringify(names));
      } catch (e) {
        throw new Error(`${(e as Error).message}: shows ${JSON.stringify(await rowNames(page))}`);
      }
    };
    const ALL = ['01_test.tif', '02_test.tif', '03_test.tif'];

    test('"Submitted for review" keeps what awaits review, by mouse and by keyboard', async () => {
      await logIn(rita, 'rita', PASSWORD.rita);
      await showsRows(rita, 'every image', ALL);
      const chip = rita.getByRole('button', { name: 'Submitted for review' });
      assert.equal(await chip.getAttribute('aria-pressed'), 'false');
      await chip.click();
      assert.equal(await chip.getAttribute('aria-pressed'), 'true');
      await showsRows(rita, 'only the image awaiting review', ['01_test.tif']);
      await rita.screenshot({ path: await screenshotPath('worklist-submitted-for-review') });
      await chip.focus();
      await rita.keyboard.press(' ');
      assert.equal(await chip.getAttribute('aria-pressed'), 'false', 'Space did not release the chip');
      await showsRows(rita, 'every image again', ALL);
      await rita.keyboard.press('Enter');
      assert.equal(await chip.getAttribute('aria-pressed'), 'true', 'Enter did not press the chip');
      await showsRows(rita, 'awaiting review again', ['01_test.tif']);
      await chip.click();
      await showsRows(rita, 'every image after releasing it', ALL);
    });

    test('the visit range keeps the visits inside it, and survives a reload', async () => {
      await rita.getByTestId('visit-from').fill('2024-03-01');
      await showsRows(rita, 'visits from 2024-03-01', ALL);
      await rita.getByTestId('visit-to').fill('2024-12-31');
      await showsRows(rita, 'visits in 2024', ['01_test.tif', '02_test.tif']);
      await rita.getByTestId('visit-from').fill('2024-03-02');
      await showsRows(rita, 'visits from 2024-03-02 to the end of 2024', ['02_test.tif']);
      await rita.getByRole('button', { name: 'Submitted for review' }).click();
      await showsRows(rita, 'nothing awaiting review in that range', []);
      await rita.getByTestId('visit-from').fill('');
      await showsRows(rita, 'awaiting review in 2024', ['01_test.tif']);

      await rita.reload();
      await rita.getByTestId('worklist').waitFor();
      await showsRows(rita, 'the same list after a reload', ['01_test.tif']);
      assert.equal(await rita.getByTestId('visit-to').inputValue(), '2024-12-31');
      assert.equal(await rita.getByTestId('visit-from').inputValue(), '');
      assert.equal(
        await rita.getByRole('button', { name: 'Submitted for review' }).getAttribute('aria-pressed'),
        'true',
      );
    });

    test("the annotator's list keeps its own filters, and her own submission", async () => {
      await logIn(anna, 'anna', PASSWORD.anna);
      await showsRows(anna, 'her three images, unfiltered', ALL);
      await anna.getByRole('button', { name: 'Submitted for review' }).click();
      await showsRows(anna, 'what she submitted and awaits review', ['01_test.tif']);
    });
  },
);
