// Review states in a real browser (browser mode, 1280x720): correct and approve an image (A opens the next one
// that needs work); the approved image says who approved it, when, and its per-image version, and refuses the
// brush until "Reopen for editing"; reopened and edited, viewer and worklist call it a draft again ("edited after
// approval") until it is re-approved; a re-prediction keeps the undo history. Every step is checked against the
// mask versions stored in the SQLite file.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { listMaskVersions, openStore, type MaskVersion } from '../../main/store/index.js';
import {
  brushRadius,
  countDiff,
  drag,
  fittedView,
  H,
  recordPointer,
  replay,
  same,
  storedMask,
  storedPrediction,
  W,
  waitFor,
} from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { seedSecondObserverPredictions } from './seed-store.js';

/** Every stored version of an image, oldest first (read straight from the database file). */
function versionsOf(dbPath: string, imageId: number): MaskVersion[] {
  const store = openStore(dbPath, { readonly: true });
  try {
    return listMaskVersions(store, imageId);
  } finally {
    store.close();
  }
}

/** The per-image number of a version: its place among its image's versions (1-based). */
const numberOf = (versions: MaskVersion[], id: number): number => versions.findIndex((v) => v.id === id) + 1;

describe(
  'review states end to end (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    /** The seeded predictions of images 1 and 2 (DRIVE's second observer, as a model's binary mask). */
    let seeded: Uint8Array[];
    const app = useWorkstation({
      seed: async (dbPath) => {
        // Three DRIVE test images; 1 and 2 carry a prediction, 3 has none yet.
        const store = openStore(dbPath);
        seeded = await seedSecondObserverPredictions(store, ['01', '02', '03'], ['01', '02']);
        store.close();
      },
    });

    const header = () => app.page.getByTestId('review-state');
    const shownImage = () => app.page.getByTestId('viewer').getAttribute('data-image-id');
    const stateIs = (status: string, reopened = false) =>
      app.page
        .locator(`[data-testid="review-state"][data-status="${status}"][data-reopened="${reopened}"]`)
        .waitFor();
    const row = (id: number) => app.page.locator(`[data-testid="image-row"][data-image-id="${id}"]`);

    test('approve, locked until reopened, edit makes it a draft again, re-approve opens the next; versions per image', async () => {
      await app.page.goto(app.serve.url);
      await app.page.getByTestId('worklist').waitFor();
      await waitFor('three rows', async () => (await app.page.getByTestId('image-row').count()) === 3);
      const order = await app.page
        .getByTestId('image-row')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-image-id')));
      assert.deepEqual(order, ['1', '2', '3']);
      assert.deepEqual(await app.page.getByTestId('image-status').allTextContents(), [
        'predicted',
        'predicted',
        'new',
      ]);

      // Image 1: predicted; one brush stroke makes it a draft.
      await row(1).dblclick();
      await stateIs('predicted');
      assert.equal(await header().textContent(), 'Predicted');
      await recordPointer(app.page);
      const radius = await brushRadius(app.page);
      const corrected = seeded[0].slice();
      replay(corrected, await drag(app.page, { x: 90.5, y: 250.5 }, { x: 470.5, y: 300.5 }), radius, 1);
      assert.ok(countDiff(corrected, seeded[0]) > 500, 'the stroke changed too little to test');
      await stateIs('draft');
      await waitFor('the draft', async () =>
        same((await storedMask(app.serve.dbPath, 1, 'draft'))?.data, corrected),
      );

      // A approves it and opens the next image that needs work: image 2.
      await app.page.keyboard.press('a');
      await waitFor('image 2 open', async () => (await shownImage()) === '2');
      await app.page.locator('.toast', { hasText: 'Approved (version 3). Next: 02_test.tif' }).waitFor();
      let v1 = versionsOf(app.serve.dbPath, 1);
      const approval = v1[v1.length - 1];
      assert.deepEqual(
        v1.map((v) => v.kind),
        ['prediction', 'draft', 'approved'],
      );
      assert.ok(same((await storedMask(app.serve.dbPath, 1, 'approved'))?.data, corrected));
      // Per image: the approval is image 1's third version, though the database's fourth.
      assert.deepEqual([approval.id, numberOf(v1, approval.id)], [4, 3]);

      // Back on image 1: approved, by whom, when, which version; read-only.
      await app.page.keyboard.press('ArrowLeft');
      await stateIs('approved');
      const headline = (await header().textContent()) ?? '';
      assert.match(
        headline,
        new RegExp(`^Approved by ${approval.author}, \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}, version 3$`),
      );
      await app.page.screenshot({ path: await screenshotPath('30-review-approved') });
      assert.equal(await app.page.getByTestId('tool-brush').isDisabled(), true);
      assert.equal(await app.page.getByTestId('islands').isDisabled(), true);
      assert.equal(await app.page.getByTestId('approve').isDisabled(), true);
      await app.page.keyboard.press('b');
      assert.doesNotMatch((await app.page.getByTestId('tool-brush').getAttribute('class')) ?? '', /\bon\b/);
      assert.match((await app.page.getByTestId('tool-pan').getAttribute('class')) ?? '', /\bon\b/);

      // Try to brush over background: the drag only pans, the mask and the stored rows stay as they are.
      await recordPointer(app.page);
      const target = { x: 300, y: 520 };
      assert.equal(corrected[target.y * W + target.x], 0, 'the test needs a background pixel');
      await drag(app.page, { x: target.x + 0.5, y: target.y + 0.5 }, { x: 420.5, y: 540.5 });
      await app.page.keyboard.press('f');
      await app.page.keyboard.press('i');
      await app.page.keyboard.press('Control+z');
      assert.equal(
        await app.page.getByTestId('save-state').textContent(),
        'Saved',
        'the locked image was edited',
      );
      await app.page.keyboard.press('0');
      const { view, left, top } = await fittedView(app.page);
      await app.page.mouse.move(
        left + view.x + (target.x + 0.5) * view.scale,
        top + view.y + (target.y + 0.5) * view.scale,
      );
      await waitFor('the pointer readout', async () =>
        (await app.page.locator('.stage .statusbar').textContent())?.includes(
          `x ${target.x} y ${target.y} · `,
        )
          ? true
          : null,
      );
      assert.match((await app.page.locator('.stage .statusbar').textContent()) ?? '', /· background/);
      assert.equal(versionsOf(app.serve.dbPath, 1).length, 3, 'a version was saved on the locked image');

      // Reopen for editing asks why; Escape takes the question back and the image stays approved.
      await app.page.getByTestId('reopen').click();
      await app.page.getByTestId('reopen-reason').press('Escape');
      await app.page.getByTestId('reopen').waitFor();
      assert.equal(await app.page.getByTestId('reopen-form').count(), 0);
      await stateIs('approved');
      // Reopened with a reason (its "a" must not approve): a draft copy of the approval, "approved, then edited".
      await app.page.getByTestId('reopen').click();
      await app.page.getByTestId('reopen-reason').pressSequentially('a vessel at the rim was missed');
      await app.page.getByTestId('reopen-reason').press('Enter');
      await stateIs('draft', true);
      assert.equal(await header().textContent(), 'Approved, then edited: draft until re-approved');
      v1 = versionsOf(app.serve.dbPath, 1);
      const reopenedDraft = v1[v1.length - 1];
      assert.deepEqual([reopenedDraft.kind, reopenedDraft.parentId], ['draft', approval.id]);
      assert.ok(same((await storedMask(app.serve.dbPath, 1, 'draft'))?.data, corrected));
      assert.equal(await app.page.getByTestId('tool-brush').isDisabled(), false);

      // Edit: the draft follows; viewer and worklist both say "draft", edited after approval.
      await app.page.keyboard.press('b');
      const recorrected = corrected.slice();
      replay(recorrected, await drag(app.page, { x: 120.5, y: 420.5 }, { x: 450.5, y: 380.5 }), radius, 1);
      assert.ok(countDiff(recorrected, corrected) > 300, 'the second stroke changed too little to test');
      await waitFor('the edited draft', async () =>
        same((await storedMask(app.serve.dbPath, 1, 'draft'))?.data, recorrected),
      );
      await stateIs('draft', true);
      // The History says who did it, in order: the approval, the reopening and why, the edit after it.
      const REOPENED = 'reopened the approved mask for editing: a vessel at the rim was missed';
      await app.page.locator('[data-testid="history"] summary').click();
      const what = app.page.getByTestId('history-entries').locator('.what');
      await waitFor('the history', async () => (await what.allTextContents()).includes(REOPENED));
      const words = await what.allTextContents();
      const from = words.lastIndexOf('approved the mask');
      assert.deepEqual(words.slice(from), ['approved the mask', REOPENED, 'saved a draft'], words.join('\n'));
      assert.equal(words[0], 'imported the photograph');
      await app.page.keyboard.press('Escape');
      await app.page.getByTestId('worklist').waitFor();
      await waitFor('the worklist says draft', async () =>
        (await row(1).getByTestId('image-status').textContent()) === 'draft' ? true : null,
      );
      assert.equal(await row(1).getByTestId('image-status-note').textContent(), 'Edited after approval');
      assert.equal(await row(2).getByTestId('image-status').textContent(), 'predicted');
      await app.page.screenshot({ path: await screenshotPath('31-review-worklist-reopened') });

      // Re-approve from the viewer: image 1 approved again, and A opens image 2, the next that needs work.
      await row(1).dblclick();
      await stateIs('draft', true);
      await app.page.keyboard.press('a');
      await waitFor('image 2 open again', async () => (await shownImage()) === '2');
      await app.page.locator('.toast', { hasText: 'Approved (version 6). Next: 02_test.tif' }).waitFor();
      v1 = versionsOf(app.serve.dbPath, 1);
      assert.deepEqual(
        v1.map((v) => v.kind),
        ['prediction', 'draft', 'approved', 'draft', 'draft', 'approved'],
      );
      assert.ok(same((await storedMask(app.serve.dbPath, 1, 'approved'))?.data, recorrected));

      // Image 2 with the Approve button: its first approval is its own version 2; then image 3 opens.
      await stateIs('predicted');
      await app.page.getByTestId('approve').click();
      await waitFor('image 3 open', async () => (await shownImage()) === '3');
      await app.page.locator('.toast', { hasText: 'Approved (version 2). Next: 03_test.tif' }).waitFor();
      const v2 = versionsOf(app.serve.dbPath, 2);
      assert.deepEqual(
        v2.map((v) => v.kind),
        ['prediction', 'approved'],
      );
      assert.ok(v2[1].id > 6, 'image 2 should be approved after image 1 versions');
      assert.ok(same((await storedMask(app.serve.dbPath, 2, 'approved'))?.data, seeded[1]));
      await stateIs('new');
      assert.equal(await header().textContent(), 'New');
    });

    test('re-predicting keeps the undo history; approving the last image says every image is approved', async () => {
      // Still on image 3 (new). Predict: it becomes "predicted" with version 1 of its own.
      assert.equal(await shownImage(), '3');
      await app.page.keyboard.press('p');
      await stateIs('predicted');
      await waitFor('prediction version 1', async () =>
        /^Version 1 · e2e-tiny$/.test((await app.page.getByTestId('prediction-version').textContent()) ?? ''),
      );
      const pred = await storedPrediction(app.serve.dbPath, 3);
      await recordPointer(app.page);
      const radius = await brushRadius(app.page);
      await app.page.keyboard.press('b');
      const painted = pred.mask.slice();
      replay(painted, await drag(app.page, { x: 80.5, y: 200.5 }, { x: 480.5, y: 260.5 }), radius, 1);
      assert.ok(countDiff(painted, pred.mask) > 500, 'the stroke changed too little to test');
      await waitFor('the painted draft', async () =>
        same((await storedMask(app.serve.dbPath, 3, 'draft'))?.data, painted),
      );

      // Predict again: the new prediction arrives in the open document (its version 3) and the stroke stays.
      await app.page.keyboard.press('p');
      await waitFor('prediction version 3', async () =>
        /^Version 3 · /.test((await app.page.getByTestId('prediction-version').textContent()) ?? ''),
      );
      assert.equal(
        await app.page.getByTestId('undo').isEnabled(),
        true,
        're-predicting cleared the undo history',
      );
      assert.equal(await app.page.getByTestId('save-state').textContent(), 'Saved');
      // The stroke is still undoable: the draft returns to the prediction, pixel for pixel.
      await app.page.keyboard.press('Control+z');
      await waitFor('the draft without the stroke', async () =>
        same((await storedMask(app.serve.dbPath, 3, 'draft'))?.data, pred.mask),
      );

      // A on the last image needing work: approved, and nothing is left to open.
      await app.page.keyboard.press('a');
      await app.page.locator('.toast', { hasText: 'Every image in this list is approved' }).waitFor();
      await stateIs('approved');
      const v3 = versionsOf(app.serve.dbPath, 3);
      const last = v3[v3.length - 1];
      assert.equal(last.kind, 'approved');
      assert.match((await header().textContent()) ?? '', new RegExp(`, version ${numberOf(v3, last.id)}$`));
      assert.ok(same((await storedMask(app.serve.dbPath, 3, 'approved'))?.data, pred.mask));
      assert.equal(await shownImage(), '3');
      await app.page.screenshot({ path: await screenshotPath('32-review-all-approved') });

      await app.page.keyboard.press('Escape');
      await app.page.getByTestId('worklist').waitFor();
      await waitFor('all approved in the worklist', async () =>
        (await app.page.getByTestId('image-status').allTextContents()).join() === 'approved,approved,approved'
          ? true
          : null,
      );
      assert.deepEqual(await app.page.getByTestId('image-status-note').allTextContents(), [
        `by ${last.author}`,
        `by ${last.author}`,
        `by ${last.author}`,
      ]);
      assert.equal(H * W, pred.mask.length);
    });
  },
);

describe(
  'large edits and an empty approval ask first (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    const app = useWorkstation({
      seed: async (dbPath) => {
        const store = openStore(dbPath);
        await seedSecondObserverPredictions(store, ['01'], ['01']);
        store.close();
      },
    });
    const stateIs = (status: string) =>
      app.page.locator(`[data-testid="review-state"][data-status="${status}"]`).waitFor();

    test('removing islands with a size that takes every vessel, then approving the empty mask: each asks, No leaves all as it was', async () => {
      await app.page.goto(app.serve.url);
      await app.page.locator('[data-testid="image-row"][data-image-id="1"]').dblclick();
      await stateIs('predicted');
      // 100000 typed for 100.
      await app.page.locator('label', { hasText: 'N (px)' }).locator('input').fill('100000');
      await app.page.getByTestId('islands').click();
      const ask = app.page.getByTestId('cleanup-confirm');
      await ask.waitFor();
      assert.match(
        (await ask.textContent()) ?? '',
        /Removing islands under 100000 px would erase 100% of the vessel pixels/,
      );
      await ask.getByRole('button', { name: 'Cancel' }).click();
      await ask.waitFor({ state: 'detached' });
      await stateIs('predicted');
      assert.deepEqual(
        versionsOf(app.serve.dbPath, 1).map((v) => v.kind),
        ['prediction'],
      );

      // Asked for: every vessel goes, saved as a draft.
      await app.page.getByTestId('islands').click();
      await ask.getByRole('button', { name: 'Remove anyway' }).click();
      await stateIs('draft');
      await waitFor('the empty draft', async () => {
        const draft = await storedMask(app.serve.dbPath, 1, 'draft');
        return !!draft && draft.data.every((v) => v === 0);
      });

      // Approving it asks; No approves nothing, yes approves.
      await app.page.keyboard.press('a');
      const empty = app.page.getByTestId('approve-empty-confirm');
      await empty.waitFor();
      assert.match((await empty.textContent()) ?? '', /This mask has no vessel pixels\./);
      await empty.getByRole('button', { name: 'Cancel' }).click();
      await stateIs('draft');
      await app.page.keyboard.press('a');
      await empty.getByRole('button', { name: 'Approve anyway' }).click();
      await stateIs('approved');
      assert.deepEqual(
        versionsOf(app.serve.dbPath, 1).map((v) => v.kind),
        ['prediction', 'draft', 'approved'],
      );
    });
  },
);
