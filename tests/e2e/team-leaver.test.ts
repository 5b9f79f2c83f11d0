// An annotator leaves: her account is disabled while images are still assigned to her. The reviewer hands her image
// to another annotator with Assign…, which must not send the disabled name back (the server refuses assigning
// anyone disabled, and the dialog offers only active annotators, so she could not be unticked).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../main/accounts/passwords.js';
import { assigneesOf, createUser, disableUser, openStore, setAssignees } from '../../main/store/index.js';
import { waitFor } from './flow.js';
import { chromiumAvailable } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { seedSecondObserverPredictions } from './seed-store.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };
const PASSWORD = 'rita reviews carefully';

describe(
  "a leaver's images reassigned (browser mode)",
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let rita: Page;
    const app = useWorkstation({
      seed: async (dbPath) => {
        const store = openStore(dbPath);
        await seedSecondObserverPredictions(store, ['01'], ['01']);
        const roles = { rita: 'reviewer', anna: 'annotator', otto: 'annotator' } as const;
        for (const [name, role] of Object.entries(roles)) {
          const passwordHash = await hashPassword(PASSWORD, FAST);
          createUser(store, { name, role, passwordHash }, 'test');
        }
        setAssignees(store, [1], ['anna'], 'rita');
        disableUser(store, 'anna', 'admin');
        store.close();
      },
    });

    before(() => {
      [rita] = app.pages;
    });

    test('Assign… hands a disabled annotator’s image to another one', async () => {
      await rita.goto(app.serve.url);
      await rita.getByLabel('User name').fill('rita');
      await rita.getByLabel('Password').fill(PASSWORD);
      await rita.getByRole('button', { name: 'Log in' }).click();
      await rita.getByTestId('worklist').waitFor();
      await rita.getByLabel('Select 01_test.tif').check();
      await rita.getByTestId('assign-open').click();
      const dialog = rita.getByTestId('assign-dialog');
      // She is named (the image was hers) but cannot be ticked again.
      assert.equal(await dialog.getByLabel(/anna/).isDisabled(), true);
      assert.equal(await dialog.getByLabel(/anna/).isChecked(), false);
      await dialog.getByLabel('otto').check();
      await rita.getByRole('button', { name: 'Assign', exact: true }).click();
      await waitFor(
        'assigned to otto',
        async () => (await rita.getByTestId('team-note').first().textContent()) === 'otto',
      );
      const store = openStore(app.serve.dbPath, { readonly: true });
      try {
        assert.deepEqual(assigneesOf(store, 1), ['otto']);
      } finally {
        store.close();
      }
    });
  },
);
