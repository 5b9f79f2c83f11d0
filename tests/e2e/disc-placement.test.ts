// Placing the optic disc by hand where the model found none, in a real browser (browser mode, 1280x720) against a
// real `retina serve` running the bundled vessel and optic-disc models: the CC0 sample cut to its middle (macula
// and vessels, no disc) is predicted with no disc; the Disc tool (Shift+D) draws one (press at its centre, drag to
// its rim), a drag on the rim resizes it, Alt+click puts the fovea and its cross drags it; undo takes them back to
// none and redo restores them; the Measurements engine measures from the disc (and the panel names who set it); the
// approval keeps disc and fovea, with the disc's author and the eye they tell (which fills the image's), the report
// names who set the disc, and it counts as an optic-disc correction for the retrain; the Models screen lists the
// installed anatomy models as in use.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { getImage, latestMaskVersion, openStore } from '../../main/store/index.js';
import { taskCorrections } from '../../main/retrain/anatomy-snapshot.js';
import { toImage } from '../../renderer/src/editing/viewport.js';
import type { AnatomyRecord } from '../../shared/contract.js';
import { fittedView, importAndPredict, waitFor } from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { bundledAnatomyWorkstation, repoRoot } from './model-fixture.js';

const SAMPLE = path.join(repoRoot, 'resources', 'samples', 'fundus-normal-left-eye-cc0.jpg');
/** The sample's middle, right of its disc (centre about x = 206): the anatomy integration test's cut. */
const CUT = { left: 400, top: 350, width: 700, height: 700 };

type Disc = { x: number; y: number; diameter: number };

/** The newest version of `kind`'s anatomy record, straight from the database file. */
function storedAnatomy(dbPath: string, imageId: number, kind: 'prediction' | 'draft' | 'approved') {
  const store = openStore(dbPath, { readonly: true });
  try {
    const v = latestMaskVersion(store, imageId, kind);
    return v ? { id: v.id, anatomy: v.anatomy } : null;
  } finally {
    store.close();
  }
}

const near = (a: Disc | null | undefined, b: Disc, what: string) => {
  assert.ok(a, `${what}: no disc`);
  for (const k of ['x', 'y', 'diameter'] as const) {
    assert.ok(Math.abs(a[k] - b[k]) < 0.05, `${what}: ${k} ${a[k]}, expected ${b[k]}`);
  }
};

describe(
  'placing the optic disc where none was found (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let imageId: string;
    const app = useWorkstation(bundledAnatomyWorkstation);

    before(async () => {
      const file = path.join(await mkdtemp(path.join(tmpdir(), 'retina-e2e-no-disc-')), 'no-disc.png');
      await sharp(SAMPLE).extract(CUT).png().toFile(file);
      imageId = await importAndPredict(app.client, file);
    });

    test('draw a disc with the Disc tool, resize it on its rim, undo and redo, approve, and read it back', async () => {
      const id = Number(imageId);
      const db = app.serve.dbPath;
      const pred = storedAnatomy(db, id, 'prediction');
      assert.ok(pred?.anatomy, 'the prediction has no anatomy record');
      assert.equal(pred.anatomy.disc, null, 'the bundled disc model found a disc on the cut');

      // A study with images never shows the empty worklist's "Open the sample study", not even while it loads.
      await app.page.addInitScript(`new MutationObserver(() => {
        if (document.querySelector('[data-testid="open-sample"]')) window.sawEmptyWorklist = true;
      }).observe(document, { childList: true, subtree: true });`);
      await app.page.goto(app.serve.url);
      await app.page.getByTestId('worklist').waitFor();
      const row = app.page.locator(`[data-testid="image-row"][data-image-id="${imageId}"]`);
      await row.waitFor();
      assert.equal(await app.page.evaluate('window.sawEmptyWorklist === true'), false);
      await row.dblclick();
      await app.page.getByTestId('mask-canvas').waitFor();

      // The Measurements panel says why CRAE/CRVE are missing and how to place the disc.
      await app.page.keyboard.press('Shift+M');
      const noDisc = app.page.getByTestId('measure-no-disc');
      assert.match((await noDisc.textContent()) ?? '', /Disc tool \(Shift\+D\) places one/);
      assert.match((await app.page.getByTestId('measure-crae').textContent()) ?? '', /no optic disc found/);
      await app.page.keyboard.press('Shift+M');
      await noDisc.waitFor({ state: 'detached' });

      // Shift+D picks the Disc tool and shows the layer the disc is drawn on.
      await app.page.keyboard.press('Shift+D');
      assert.match((await app.page.getByTestId('tool-disc').getAttribute('class')) ?? '', /\bon\b/);
      const layer = app.page.getByRole('button', { name: 'Artery/vein layer' });
      assert.equal(await layer.getAttribute('aria-pressed'), 'true');
      const note = app.page.getByTestId('anatomy-note');
      assert.match(
        (await note.textContent()) ?? '',
        /No optic disc found: the Disc tool \(Shift\+D\) places one/,
      );

      // Press where the disc's centre goes, release on its rim.
      const { view, left, top } = await fittedView(app.page, CUT);
      const screen = (x: number, y: number) => ({
        x: left + view.x + x * view.scale,
        y: top + view.y + y * view.scale,
      });
      const image = (s: { x: number; y: number }) => toImage(view, { x: s.x - left, y: s.y - top });
      const press = screen(150, 300);
      const release = { x: press.x + 37, y: press.y + 11 };
      await app.page.mouse.move(press.x, press.y);
      await app.page.mouse.down();
      await app.page.mouse.move(release.x, release.y, { steps: 6 });
      await app.page.mouse.up();
      const c = image(press);
      const r = image(release);
      const drawn = { x: c.x, y: c.y, diameter: 2 * Math.hypot(r.x - c.x, r.y - c.y) };
      const { user } = await app.client.invoke('getAppInfo', {});
      const placed = await waitFor('the drawn disc saved', async () => {
        const d = storedAnatomy(db, id, 'draft');
        return d?.anatomy?.disc ? d : null;
      });
      near(placed.anatomy!.disc, drawn, 'the drawn disc');
      await note.waitFor({ state: 'detached' });
      assert.equal(placed.anatomy!.discMovedBy, user, 'the draft records who placed the disc');
      await app.page.screenshot({ path: await screenshotPath('disc-placement-01-drawn') });

      // A drag on the rim resizes it about the same centre.
      const rim = screen(drawn.x + drawn.diameter / 2, drawn.y);
      await app.page.mouse.move(rim.x, rim.y);
      await app.page.mouse.down();
      await app.page.mouse.move(rim.x + 25, rim.y, { steps: 5 });
      await app.page.mouse.up();
      const out = image({ x: rim.x + 25, y: rim.y });
      const resized = { ...drawn, diameter: 2 * Math.hypot(out.x - drawn.x, out.y - drawn.y) };
      await waitFor('the resized disc saved', async () => {
        const d = storedAnatomy(db, id, 'draft');
        return d?.anatomy?.disc && d.anatomy.disc.diameter > drawn.diameter + 1 ? d : null;
      }).then((d) => near(d.anatomy!.disc, resized, 'the resized disc'));

      // With the Disc tool, ] and [ size the disc by 5% steps (one undoable edit each).
      await app.page.keyboard.press(']');
      await waitFor('the disc a step bigger', async () => {
        const d = storedAnatomy(db, id, 'draft')?.anatomy?.disc;
        return d && Math.abs(d.diameter - resized.diameter * 1.05) < 0.05;
      });
      await app.page.keyboard.press('Control+z');
      await waitFor('the step undone', async () => {
        const d = storedAnatomy(db, id, 'draft')?.anatomy?.disc;
        return d && Math.abs(d.diameter - resized.diameter) < 0.05;
      });

      // Alt+click with the Disc tool puts the fovea (none was found without a disc); its cross drags it.
      const click = screen(450, 330);
      await app.page.keyboard.down('Alt');
      await app.page.mouse.click(click.x, click.y);
      await app.page.keyboard.up('Alt');
      const put = image(click);
      await waitFor(
        'the fovea saved',
        async () => storedAnatomy(db, id, 'draft')?.anatomy?.fovea ?? null,
      ).then((f) => near({ ...f, diameter: f.confidence }, { ...put, diameter: 1 }, 'the fovea put'));
      await app.page.mouse.move(click.x, click.y);
      await app.page.mouse.down();
      await app.page.mouse.move(click.x - 30, click.y + 15, { steps: 5 });
      await app.page.mouse.up();
      const fovea = { x: put.x - 30 / view.scale, y: put.y + 15 / view.scale, confidence: 1 };
      await waitFor('the dragged fovea saved', async () => {
        const f = storedAnatomy(db, id, 'draft')?.anatomy?.fovea;
        return f && Math.abs(f.x - fovea.x) < 0.05 && Math.abs(f.y - fovea.y) < 0.05;
      });
      await app.page.screenshot({ path: await screenshotPath('disc-placement-02-fovea') });

      // Undo: the fovea back, then none; the disc's old size, then no disc at all; redo brings all four back.
      const undoUntil = async (what: string, holds: (a: AnatomyRecord | null | undefined) => unknown) => {
        await app.page.keyboard.press('Control+z');
        await waitFor(what, async () => holds(storedAnatomy(db, id, 'draft')?.anatomy));
      };
      await undoUntil('the fovea back', (a) => a?.fovea && Math.abs(a.fovea.x - put.x) < 0.05);
      await undoUntil('no fovea again', (a) => a?.fovea === null);
      await undoUntil('the old size', (a) => a?.disc && Math.abs(a.disc.diameter - drawn.diameter) < 0.05);
      await undoUntil('no disc again', (a) => a?.disc === null);
      for (let k = 0; k < 4; k++) await app.page.keyboard.press('Control+Shift+z');
      await waitFor('the resized disc and the dragged fovea again', async () => {
        const a = storedAnatomy(db, id, 'draft')?.anatomy;
        return (
          a?.disc &&
          Math.abs(a.disc.diameter - resized.diameter) < 0.05 &&
          Math.abs((a.fovea?.x ?? 0) - fovea.x) < 0.05
        );
      });

      // Delete (with the Disc tool) removes the disc, keeping the fovea put by hand; undo brings it back.
      await app.page.keyboard.press('Delete');
      await waitFor('the disc removed', async () => {
        const a = storedAnatomy(db, id, 'draft')?.anatomy;
        return a?.disc === null && a.fovea?.confidence === 1 && a.laterality === null;
      });
      await app.page.keyboard.press('Control+z');
      await waitFor('the disc back', async () => {
        const d = storedAnatomy(db, id, 'draft')?.anatomy?.disc;
        return d && Math.abs(d.diameter - resized.diameter) < 0.05;
      });

      // What is measured now starts from the placed disc.
      const m = await app.client.invoke('getMeasurements', { imageId });
      assert.ok(m, 'nothing to measure');
      near(m.measures.disc, resized, 'the measured disc');
      assert.equal(m.discBy, user);
      // And the panel says whose disc the zones are drawn around.
      await app.page.keyboard.press('Shift+M');
      const discNote = app.page.getByTestId('measure-disc');
      await waitFor('the panel on the placed disc', async () =>
        ((await discNote.textContent()) ?? '').includes(`optic disc set by hand (${user})`),
      );
      await app.page.keyboard.press('Shift+M');
      await discNote.waitFor({ state: 'detached' });

      await app.page.keyboard.press('a');
      const approved = await waitFor('the approval', async () => storedAnatomy(db, id, 'approved'));
      near(approved.anatomy?.disc, resized, 'the approved disc');
      assert.equal(approved.anatomy?.discMovedBy, user);
      const f = approved.anatomy?.fovea;
      near(f && { ...f, diameter: f.confidence }, { ...fovea, diameter: 1 }, 'the approved fovea');
      // The report says the disc was set by hand, and by whom.
      const report = await app.client.invoke('getReport', { imageId });
      assert.ok(
        report.html.includes(`optic disc set by hand (${user})`),
        'the report hides who set the disc',
      );
      const store = openStore(db, { readonly: true });
      try {
        // The disc left of the fovea: a left eye, which fills the image's unknown eye.
        assert.equal(approved.anatomy?.laterality, 'L');
        assert.equal(getImage(store, id).laterality, 'OS');
        const corrections = taskCorrections(store, 'optic-disc').map((a) => a.imageId);
        assert.deepEqual(
          corrections,
          [id],
          'the placed disc is not an optic-disc correction for the retrain',
        );
      } finally {
        store.close();
      }
      // The Models screen lists the installed disc and artery/vein models that made the prediction as in use.
      await app.page.getByRole('button', { name: 'Back to worklist' }).click();
      await app.page.getByRole('button', { name: 'Models' }).click();
      assert.match((await app.page.locator('.topbar-where').textContent()) ?? '', /^Models · browser/);
      for (const task of ['artery-vein', 'optic-disc']) {
        const installed = app.page.locator(`[data-testid="installed-model"][data-task="${task}"]`);
        await installed.waitFor();
        assert.equal(await installed.getByTestId('model-status').textContent(), 'in use');
      }
    });
  },
);
