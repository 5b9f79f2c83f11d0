// One editor per image in a real browser (browser mode, 1280x720), two browser contexts as two people's windows:
// the first opens an image and edits it (each autosave builds on the one before, so none is refused); the second
// sees "being edited by" in the worklist and in the viewer, read-only, and saves nothing; when the first closes the
// image, the second gets it for editing. A save refused as stale says so, keeps the edit, and the kept draft opens
// over the current mask and is adopted. A lease whose holder stopped beating expires and is taken over, explicitly
// and audited. Closing a window saves its last correction (the browser asks to stay meanwhile). A save refused
// after the viewer left its image says so in a toast. Every step is checked against the SQLite file.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Page, Route } from 'playwright-core';
import {
  importImageFiles,
  listAudit,
  listKeptDrafts,
  listMaskVersions,
  loadKeptMask,
  loadMask,
  getLease,
  openStore,
} from '../../main/store/index.js';
import { drag, H, recordPointer, same, W, waitFor } from './flow.js';
import { chromiumAvailable, screenshotPath, serveClient, type ServeProcess } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { driveTestImage } from './model-fixture.js';

/** The image's saved drafts and kept drafts, read straight from the database file. */
function stored(dbPath: string, imageId = 1): { drafts: number; kept: number } {
  const store = openStore(dbPath, { readonly: true });
  try {
    return {
      drafts: listMaskVersions(store, imageId).filter((v) => v.kind === 'draft').length,
      kept: listKeptDrafts(store, imageId).length,
    };
  } finally {
    store.close();
  }
}

/** The newest draft's pixels and the kept draft's (with the version adopting it), from the database file. */
async function pixels(dbPath: string, imageId: number) {
  const store = openStore(dbPath, { readonly: true });
  try {
    const drafts = listMaskVersions(store, imageId).filter((v) => v.kind === 'draft');
    const kept = listKeptDrafts(store, imageId)[0];
    return {
      draft: (await loadMask(store, drafts[drafts.length - 1])).data,
      draftParent: drafts[drafts.length - 1].parentId,
      kept: await loadKeptMask(store, kept),
      adoptedId: kept.adoptedId,
      draftIds: drafts.map((d) => d.id),
    };
  } finally {
    store.close();
  }
}

/** The image's lease as the database file holds it (null when none). */
function leaseOf(dbPath: string, imageId: number) {
  const store = openStore(dbPath, { readonly: true });
  try {
    return getLease(store, imageId);
  } finally {
    store.close();
  }
}

/**
 * A draft saved beside the viewer under its window's lease id (so the lease lets it through): it moves the image's
 * mask on, and the viewer's next save, still built on what it opened, is stale.
 */
async function saveBeside(serve: ServeProcess, imageId: number): Promise<void> {
  const windowId = (await waitFor('the lease', async () => leaseOf(serve.dbPath, imageId))).clientId;
  const client = serveClient(serve);
  const beside = new Uint8Array(W * H);
  beside.fill(1, W * 100, W * 120);
  try {
    await client.invoke('saveDraft', {
      imageId: String(imageId),
      width: W,
      height: H,
      mask: beside,
      parentVersionId: null,
      clientId: windowId,
    });
  } finally {
    client.close();
  }
}

/** A fresh database holding DRIVE test photographs `numbers` (images 1, 2, ... in that order). */
function withDriveImages(...numbers: string[]) {
  return async (dbPath: string): Promise<void> => {
    const store = openStore(dbPath);
    try {
      await importImageFiles(
        store,
        numbers.map((n) => ({ imagePath: driveTestImage(n) })),
        { actor: 'test' },
      );
    } finally {
      store.close();
    }
  };
}

describe(
  'one editor per image (browser mode, chromium, two contexts)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let first: Page;
    let second: Page;
    const app = useWorkstation({
      pages: 2,
      seed: withDriveImages('01', '02'),
    });

    const open = async (page: Page) => {
      await page.goto(app.serve.url);
      await page.getByTestId('worklist').waitFor();
      await page.locator('[data-testid="image-row"][data-image-id="1"]').waitFor();
    };

    before(() => {
      [first, second] = app.pages;
    });

    test('the second window sees "being edited by", read-only, and gets the image once the first closes it', async () => {
      await open(first);
      await first.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await first.getByTestId('mask-canvas').waitFor();
      await recordPointer(first);
      // Two strokes, each autosaved: the second names the first's version, so both are saved and none is kept.
      await drag(first, { x: 100.5, y: 250.5 }, { x: 450.5, y: 300.5 });
      await waitFor('the first draft', async () => stored(app.serve.dbPath).drafts === 1);
      await drag(first, { x: 120.5, y: 400.5 }, { x: 420.5, y: 200.5 });
      await waitFor('the second draft', async () => stored(app.serve.dbPath).drafts === 2);
      assert.equal(stored(app.serve.dbPath).kept, 0, 'an autosave of the lease holder was refused');
      assert.equal(await first.getByTestId('lease-notice').count(), 0);

      // The second window: the worklist marks the image, the viewer says who edits it and since when.
      await open(second);
      const marker = second.getByTestId('edit-marker');
      await marker.waitFor();
      assert.match((await marker.textContent()) ?? '', /being edited by \S+ since \d\d:\d\d/);
      await second.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      const notice = second.locator('[data-testid="lease-notice"][data-mode="read-only"]');
      await notice.waitFor();
      assert.match((await notice.textContent()) ?? '', /^Read-only: being edited by \S+ since \d\d:\d\d/);
      assert.equal(await notice.getAttribute('role'), 'status');
      assert.equal(await second.getByTestId('tool-brush').isDisabled(), true);
      assert.equal(await second.getByTestId('approve').isDisabled(), true);
      assert.equal(await second.getByTestId('take-over').count(), 0, 'a live lease cannot be taken over');
      await second.screenshot({ path: await screenshotPath('edit-lease-read-only') });

      // A stroke there changes nothing and saves nothing.
      const box = (await second.getByTestId('mask-canvas').boundingBox())!;
      await second.keyboard.press('b');
      await second.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await second.mouse.down();
      await second.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 40, { steps: 8 });
      await second.mouse.up();
      assert.deepEqual(stored(app.serve.dbPath), { drafts: 2, kept: 0 });

      // The first window closes the image: its lease is released and the second one gets it for editing.
      await first.getByRole('button', { name: 'Back to worklist' }).click();
      await first.getByTestId('worklist').waitFor();
      await waitFor(
        'the second window to edit',
        async () => (await second.getByTestId('lease-notice').count()) === 0,
      );
      await waitFor('the brush enabled', async () => !(await second.getByTestId('tool-brush').isDisabled()));
      await first.getByTestId('edit-marker').waitFor();
    });

    test('a stale save is refused with its kept draft named; opened over the current mask, it is adopted', async () => {
      const page = first;
      await page.locator('[data-testid="image-row"][data-image-id="2"]').dblclick();
      await page.getByTestId('mask-canvas').waitFor();
      // A save made beside the viewer (under the same window id, so the lease lets it through) moves the image's
      // mask on: the viewer's next save still builds on nothing, and is stale.
      await saveBeside(app.serve, 2);
      await recordPointer(page);
      await drag(page, { x: 100.5, y: 250.5 }, { x: 450.5, y: 300.5 });
      const refused = page.getByTestId('save-refused');
      await refused.waitFor();
      assert.match(
        (await refused.textContent()) ?? '',
        /saved by \S+ at \d\d:\d\d \S+ after you opened it; your edit is kept as draft #1/,
      );
      assert.deepEqual(stored(app.serve.dbPath, 2), { drafts: 1, kept: 1 });
      assert.equal(await page.getByTestId('save-state').textContent(), 'Not saved: kept as a draft');
      assert.equal(
        await page.getByTestId('tool-brush').isDisabled(),
        true,
        'a stale document stays read-only',
      );

      // Open it: the kept draft over the current mask, with how far apart they are; then adopt it.
      await page.getByTestId('open-refused-kept').click();
      const preview = page.getByTestId('kept-preview');
      await preview.waitFor();
      const before = await pixels(app.serve.dbPath, 2);
      let differing = 0;
      for (let i = 0; i < before.kept.length; i++) if (before.kept[i] !== before.draft[i]) differing++;
      assert.ok(differing > 0);
      assert.match(
        (await preview.textContent()) ?? '',
        new RegExp(`at ${differing.toLocaleString('en-US')} pixels`),
      );
      await page.screenshot({ path: await screenshotPath('edit-lease-kept-preview') });
      await page.getByTestId('adopt-kept').click();
      await waitFor('the adopted draft', async () => stored(app.serve.dbPath, 2).drafts === 2);
      const after = await pixels(app.serve.dbPath, 2);
      assert.ok(same(after.draft, before.kept), 'the adopted draft is not the kept pixels');
      assert.equal(after.draftParent, before.draftIds[0], 'adopting builds on the current version');
      assert.equal(after.adoptedId, after.draftIds[1]);
      await preview.waitFor({ state: 'detached' });

      // Editing goes on from the adopted version: the next autosave is not refused.
      await waitFor('the brush enabled', async () => !(await page.getByTestId('tool-brush').isDisabled()));
      await drag(page, { x: 120.5, y: 400.5 }, { x: 420.5, y: 200.5 });
      await waitFor('the next draft', async () => stored(app.serve.dbPath, 2).drafts === 3);
      assert.equal(stored(app.serve.dbPath, 2).kept, 1);
    });
  },
);

describe(
  'taking over an expired edit lease (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    // A short lease, so that one left without heartbeats expires within the test.
    const app = useWorkstation({
      env: async () => ({ RETINA_LEASE_SECONDS: '3' }),
      seed: withDriveImages('01'),
    });

    test('a window that stopped beating loses the image only to an explicit, audited take-over', async () => {
      // Another window takes the lease and then goes silent (no heartbeat).
      const silent = serveClient(app.serve);
      const gone = 'window-gone-0001';
      assert.equal((await silent.invoke('acquireEditLease', { imageId: '1', clientId: gone })).granted, true);

      const page = app.page;
      await page.goto(app.serve.url);
      await page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await page.getByTestId('lease-notice').waitFor();
      // Once the lease expired the viewer offers to take it over, and still edits nothing until asked.
      const takeOver = page.getByTestId('take-over');
      await takeOver.waitFor();
      assert.match(
        (await page.getByTestId('lease-notice').textContent()) ?? '',
        /being edited by \S+ since \d\d:\d\d, but their lease expired at \d\d:\d\d/,
      );
      assert.equal(await page.getByTestId('tool-brush').isDisabled(), true);
      const audit = () => {
        const store = openStore(app.serve.dbPath, { readonly: true });
        try {
          return listAudit(store, { entity: 'image' }).filter((e) => e.action === 'lease.take-over');
        } finally {
          store.close();
        }
      };
      assert.equal(audit().length, 0);
      await takeOver.click();
      await page.getByTestId('lease-notice').waitFor({ state: 'detached' });
      assert.equal(await page.getByTestId('tool-brush').isDisabled(), false);
      const taken = audit();
      assert.equal(taken.length, 1);
      assert.equal(taken[0].entityId, 1);

      // The silent window, back, finds it taken: its save is refused and kept.
      await assert.rejects(
        silent.invoke('saveDraft', {
          imageId: '1',
          width: W,
          height: H,
          mask: new Uint8Array(W * H).fill(1, 0, W),
          parentVersionId: null,
          clientId: gone,
        }),
        /being edited by \S+ since \d\d:\d\d \S+; your edit is kept as draft #1/,
      );
      silent.close();
    });
  },
);

describe(
  'closing, reloading and duplicating a window (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const app = useWorkstation({
      seed: withDriveImages('01'),
    });

    test('a correction made just before the window closes is saved, the browser asking to stay meanwhile', async () => {
      const closing = await app.browser.newPage({ viewport: { width: 1280, height: 720 } });
      await closing.goto(app.serve.url);
      await closing.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await closing.getByTestId('mask-canvas').waitFor();
      await waitFor('the lease', async () => leaseOf(app.serve.dbPath, 1));
      await recordPointer(closing);
      await drag(closing, { x: 100.5, y: 250.5 }, { x: 450.5, y: 300.5 });
      // Left within the autosave's delay: the page asks to stay while it saves; the user leaves anyway. (Leaving
      // by navigation: this chromium runs no beforeunload on page.close, and the page goes the same way.)
      const pending = (await closing.getByTestId('save-state').textContent()) === 'Edited';
      const dialogs: string[] = [];
      closing.on('dialog', (d) => {
        dialogs.push(d.type());
        void d.accept();
      });
      await closing.goto('about:blank');
      if (pending) assert.deepEqual(dialogs, ['beforeunload']);
      await closing.close();
      await waitFor('the correction saved', async () => stored(app.serve.dbPath).drafts === 1);
      // The lease is given back: by the page as it goes when its last request makes it out, else by the server
      // once the window's event socket closed and did not come back (3 s).
      await waitFor('the lease given back', async () => leaseOf(app.serve.dbPath, 1) === null, 15_000);
    });

    test('an edit whose save failed is not dropped: closing asks first, and leaving the image saves it', async () => {
      const page = await app.browser.newPage({ viewport: { width: 1280, height: 720 } });
      const before = stored(app.serve.dbPath).drafts;
      // The first two saves do not reach the server (as when it is gone, or its disk full), then it works again.
      let saves = 0;
      await page.route('**/rpc/saveDraft', (route) =>
        saves++ < 2 ? route.abort('connectionfailed') : route.continue(),
      );
      await page.goto(app.serve.url);
      await page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await page.getByTestId('mask-canvas').waitFor();
      await recordPointer(page);
      await drag(page, { x: 120.5, y: 260.5 }, { x: 430.5, y: 310.5 });
      await page.getByTestId('save-state').filter({ hasText: 'Save failed' }).waitFor();
      await page.locator('.toast', { hasText: 'cannot reach RetinaStudio' }).waitFor();

      // Closing now would lose the edit: the browser asks to stay while it tries again (failing; the user stays).
      const dialogs: string[] = [];
      page.once('dialog', (d) => {
        dialogs.push(d.type());
        void d.dismiss();
      });
      await page.evaluate('location.reload()').catch(() => {});
      await waitFor('the question', async () => dialogs.length === 1);
      assert.deepEqual(dialogs, ['beforeunload']);

      // Leaving the image tries the save again, which lands.
      await page.getByRole('button', { name: 'Back to worklist' }).click();
      await waitFor('the edit saved', async () => stored(app.serve.dbPath).drafts === before + 1);
      assert.equal(saves, 3, 'the failed save, the retry at the question, the one on leaving');
      await page.close();
    });

    test('a reloaded tab keeps its lease; a duplicated tab is another window, read-only', async () => {
      const tab = app.page;
      const openImage = async (page: Page): Promise<void> => {
        await page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
        await page.getByTestId('mask-canvas').waitFor();
      };
      await tab.goto(app.serve.url);
      await openImage(tab);
      const { clientId } = await waitFor('the lease', async () => leaseOf(app.serve.dbPath, 1));
      // The reloaded tab reopens the image itself (the address names it).
      await tab.reload();
      await tab.getByTestId('mask-canvas').waitFor();
      await waitFor('the brush enabled', async () => !(await tab.getByTestId('tool-brush').isDisabled()));
      // The old page's release (sent as it goes) may land after the reloaded page took the lease again: the next
      // heartbeat takes it back. Waited for, not read at once (a fresh-clone CI run saw the lease gone for a beat).
      await waitFor('the reloaded tab renews its own lease', async () =>
        leaseOf(app.serve.dbPath, 1)?.clientId === clientId ? true : null,
      );
      assert.equal(await tab.getByTestId('lease-notice').count(), 0);

      // A duplicated tab starts with a copy of the tab's sessionStorage (as Chrome's "Duplicate" does; its page
      // here has a browser context of its own, which the server cannot tell from the same browser's).
      const storage = (await tab.evaluate('JSON.stringify(Object.entries(sessionStorage))')) as string;
      const duplicate = await app.browser.newPage({ viewport: { width: 1280, height: 720 } });
      await duplicate.addInitScript(
        `for (const [k, v] of ${storage}) if (location.origin !== 'null') sessionStorage.setItem(k, v);`,
      );
      await duplicate.goto(app.serve.url);
      await openImage(duplicate);
      await duplicate.getByTestId('lease-notice').waitFor();
      assert.equal(await duplicate.getByTestId('tool-brush').isDisabled(), true);
      assert.equal(leaseOf(app.serve.dbPath, 1)?.clientId, clientId);
      await duplicate.close();
    });
  },
);

describe(
  'a save refused after the viewer left its image (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const app = useWorkstation({ seed: withDriveImages('01') });

    test('the refusal of a save still on its way when the image is left is said in a toast naming the kept draft', async () => {
      const page = app.page;
      await page.goto(app.serve.url);
      await page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await page.getByTestId('mask-canvas').waitFor();
      // A save beside the viewer moves the mask on: the viewer's autosave is stale, and will be refused.
      await saveBeside(app.serve, 1);
      // The autosave is held on its way until the viewer has gone back to the worklist.
      let held: Route | null = null;
      await page.route('**/rpc/saveDraft', (route) => {
        held = route;
      });
      await recordPointer(page);
      await drag(page, { x: 100.5, y: 250.5 }, { x: 450.5, y: 300.5 });
      const route = await waitFor('the autosave sent', async () => held);
      await page.getByRole('button', { name: 'Back to worklist' }).click();
      await page.getByTestId('worklist').waitFor();
      await route.continue();
      await waitFor('the edit kept', async () => stored(app.serve.dbPath).kept === 1);
      const toast = page.locator('.toast', { hasText: 'kept as draft #1' });
      await toast.waitFor();
      assert.match(
        (await toast.textContent()) ?? '',
        /was saved by \S+ at \d\d:\d\d \S+ after you opened it/,
      );
    });
  },
);
