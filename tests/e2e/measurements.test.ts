// The Measurements panel end to end, in a real browser (browser mode, 1280x720) against a real `retina serve`: a
// DRIVE photograph with a draft of RITE's reference arteries and veins and DRIVE-OD's disc; Shift+M opens the
// panel, whose CRAE, CRVE and AVR (or the reasons they are absent) equal what the engine gives for the stored draft,
// computed here; zones B and C and the twelve named vessels are drawn on the image, and hovering a vessel's row
// highlights it; erasing the widest venule where it crosses zone B autosaves a draft, and the panel follows with
// one more request, showing the engine's values for the new draft; dragging the disc marker onto the field's edge
// makes the panel say the disc is cut off, beside the values as measured.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  getImage,
  latestMaskVersion,
  loadAvLabels,
  loadFov,
  loadMask,
  openStore,
} from '../../main/store/index.js';
import { discNote, measureLine, namedVessels, zoneRings } from '../../renderer/src/measure/measureView.js';
import { MEASURE_ROWS } from '../../shared/measure/measure-table.js';
import { measureImage, type ImageMeasures } from '../../shared/measure/measures.js';
import { DISC_AT_FIELD_EDGE_NOTE } from '../../shared/measure/disc-at-field-edge.js';
import { brushRadius, drag, fittedView, jobFinished, recordPointer, replay, waitFor } from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import {
  driveTestImagePath,
  referenceAnatomy,
  type ReferenceAnatomy,
} from '../integration/measure-fixture.js';

/** The engine's measures of the image's newest draft, read straight from the database file. */
async function engineOnStoredDraft(dbPath: string, imageId: number) {
  const store = openStore(dbPath, { readonly: true });
  try {
    const v = latestMaskVersion(store, imageId, 'draft');
    assert.ok(v, 'no draft stored');
    const image = getImage(store, imageId);
    const mask = (await loadMask(store, v)).data;
    const measures = measureImage({
      width: image.width,
      height: image.height,
      mask,
      fov: (await loadFov(store, image)).data,
      av: (await loadAvLabels(store, v)) ?? undefined,
      disc: v.anatomy?.disc ?? null,
      pixelSizeUm: null,
    });
    return { versionId: String(v.id), mask, measures };
  } finally {
    store.close();
  }
}

/** The first x right of the disc's centre, on its row, outside the image's field of view. */
async function fieldEdgeRightOf(dbPath: string, imageId: number, disc: { x: number; y: number }) {
  const store = openStore(dbPath, { readonly: true });
  try {
    const fov = await loadFov(store, getImage(store, imageId));
    const row = Math.round(disc.y) * fov.width;
    let x = Math.round(disc.x);
    while (x < fov.width && fov.data[row + x] !== 0) x++;
    return x;
  } finally {
    store.close();
  }
}

const KEYS = ['crae', 'crve', 'avr'] as const;

/** A row's text as the panel must show it. */
function expectedRow(m: ImageMeasures, key: (typeof KEYS)[number]): string {
  const line = measureLine(
    MEASURE_ROWS.find((r) => r.key === key)!,
    m[key],
  );
  return line.value !== null
    ? `${line.label}${line.value}${line.interval ? ` 95% ${line.interval}` : ''}`
    : `${line.label}not measured: ${line.absent}`;
}

describe(
  'the Measurements panel (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let imageId: string;
    let ref: ReferenceAnatomy;
    const calls: string[] = [];
    const callsTo = (channel: string) => calls.filter((c) => c === channel).length;
    const app = useWorkstation();

    before(async () => {
      const imported = await app.client.invoke('importFiles', { paths: [driveTestImagePath('02')] });
      await jobFinished(app.client, imported.jobId);
      imageId = (await app.client.invoke('listImages', { offset: 0, limit: 10 })).items[0].id;
      ref = await referenceAnatomy('02');
      await app.client.invoke('saveDraft', {
        imageId,
        width: ref.width,
        height: ref.height,
        mask: ref.mask,
        parentVersionId: null,
        av: ref.av,
        anatomy: { disc: ref.disc, fovea: null, laterality: null },
      });
      app.page.on('request', (r) => {
        const m = /\/rpc\/(\w+)/.exec(new URL(r.url()).pathname);
        if (m) calls.push(m[1]);
      });
    });

    const panel = () => app.page.getByTestId('measurements-panel');
    const rowText = async (key: string) =>
      ((await app.page.getByTestId(`measure-${key}`).textContent()) ?? '').replace(/\s+/g, ' ').trim();
    const layer = () => app.page.locator('canvas[data-testid="measurement-layer"]');
    /** Waits until the panel shows the measures of `versionId`, with no request on its way. */
    const panelShows = (versionId: string) =>
      waitFor(`the panel showing version ${versionId}`, async () => {
        const p = panel();
        return (
          (await p.getAttribute('data-version')) === versionId &&
          (await p.getAttribute('data-updating')) === 'false'
        );
      });

    test('the panel shows the engine’s values for the stored mask; zones and vessels are drawn', async () => {
      await app.page.goto(app.serve.url);
      await app.page.getByTestId('worklist').waitFor();
      await app.page.locator(`[data-testid="image-row"][data-image-id="${imageId}"]`).dblclick();
      await app.page.getByTestId('mask-canvas').waitFor();
      await app.page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();
      assert.equal(callsTo('getMeasurements'), 0, 'measured before the panel was opened');

      const toggle = app.page.getByRole('button', { name: 'Measures (Measurements panel)', exact: true });
      assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
      // Measured once as it opens, and again only for a change of the image announced meanwhile (never for a
      // window taking or giving back its lease). A loaded machine can deliver such a change late.
      const changes: string[] = [];
      const off = app.client.on('imagesChanged', (e) => {
        if (e.imageIds.includes(imageId)) changes.push(e.leaseOnly ? 'lease' : 'change');
      });
      await app.page.keyboard.press('Shift+M');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      const stored = await engineOnStoredDraft(app.serve.dbPath, Number(imageId));
      await panelShows(stored.versionId);
      off();
      assert.equal(
        callsTo('getMeasurements'),
        1 + changes.filter((c) => c === 'change').length,
        `announced while the panel opened: ${changes.join(', ') || 'nothing'}`,
      );
      for (const key of KEYS) {
        const want = expectedRow(stored.measures, key).replace(/\s+/g, ' ');
        assert.equal(await rowText(key), want, key);
      }
      assert.ok(stored.measures.crve.value !== null, 'DRIVE 02 with RITE labels has six venules in zone B');
      assert.match(
        (await app.page.getByTestId('measure-scale').textContent()) ?? '',
        /disc diameters.*field angle/,
      );
      // Every measure has its row, its definition as the tooltip.
      for (const row of MEASURE_ROWS) {
        assert.equal(await app.page.getByTestId(`measure-${row.key}`).getAttribute('title'), row.help);
      }
      // ... and, for the keyboard and a screen reader, its description, shown under it on request.
      const crae = MEASURE_ROWS.find((r) => r.key === 'crae');
      assert.ok(crae);
      assert.equal(
        await app.page.getByTestId('measure-crae').getAttribute('aria-describedby'),
        await app.page.getByTestId('definition-crae').getAttribute('id'),
      );
      assert.equal(await app.page.getByTestId('definition-crae').isVisible(), false);
      await app.page.getByTestId('measure-definitions').press('Enter');
      assert.equal(await app.page.getByTestId('definition-crae').textContent(), crae.help);
      assert.equal(await app.page.getByTestId('definition-crae').isVisible(), true);
      await app.page.getByTestId('measure-definitions').click();

      // The layer: zones B and C around the disc, the twelve named vessels, as the engine placed them.
      const payload = {
        imageId,
        versionId: stored.versionId,
        version: 1,
        kind: 'draft' as const,
        scaleSource: null,
        discBy: null,
        measures: stored.measures,
        cached: false,
      };
      // The zones are drawn around the model's disc, and the panel says so.
      assert.equal(await app.page.getByTestId('measure-disc').textContent(), discNote(payload));
      await waitFor(
        'the layer drawn',
        async () => (await layer().getAttribute('data-drawn')) === `${stored.versionId}:`,
      );
      const rings = zoneRings(payload);
      assert.equal(
        await layer().getAttribute('data-zones'),
        rings.map((r) => `${r.zone}:${r.inner.toFixed(1)}-${r.outer.toFixed(1)}`).join(' '),
      );
      const names = namedVessels(payload).map((v) => v.name);
      assert.equal(names.length, 12);
      assert.equal(await layer().getAttribute('data-vessels'), names.join(' '));
      const drawnPixels = (await app.page.evaluate(`(() => {
        const c = document.querySelector('canvas[data-testid="measurement-layer"]');
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
        return n;
      })()`)) as number;
      assert.ok(drawnPixels > 0, 'the measurement layer drew nothing');

      // Hovering a vessel's row highlights it on the image.
      await app.page.getByTestId('vessel-V1').hover();
      await waitFor(
        'V1 highlighted',
        async () => (await layer().getAttribute('data-drawn')) === `${stored.versionId}:V1`,
      );
      assert.equal(await layer().getAttribute('data-highlight'), 'V1');

      // The panel fits a 1280x720 window beside the tools and the viewer's panel, none of them covered.
      const box = await panel().boundingBox();
      const tools = await app.page.locator('.tools').boundingBox();
      const side = await app.page.locator('.panel').boundingBox();
      assert.ok(box && tools && side);
      assert.ok(
        box.x >= tools.x + tools.width && box.x + box.width <= side.x + 0.5,
        'the panel overlaps a column',
      );
      assert.ok(box.y + box.height <= 720.5);
      await app.page.screenshot({ path: await screenshotPath('measurements-01-panel') });
    });

    test('erasing the widest venule across zone B: the panel follows the autosave with the new values', async () => {
      const before = await engineOnStoredDraft(app.serve.dbPath, Number(imageId));
      const v1 = before.measures.zoneVessels.B.veins[0];
      const crveBefore = await rowText('crve');
      const requests = callsTo('getMeasurements');
      const updates = Number(await panel().getAttribute('data-updates'));

      await app.page.keyboard.press('e');
      for (let i = 0; i < 10; i++) await app.page.keyboard.press(']');
      const radius = await brushRadius(app.page);
      // Wide enough to cut the venule from the inner to the outer circle of zone B (0.25 disc diameter each way).
      assert.ok(radius >= 0.3 * ref.disc.diameter, `brush radius ${radius} too small`);
      await recordPointer(app.page);
      const timing: Record<string, number> = {};
      app.page.on('response', (r) => {
        if (r.url().endsWith('/rpc/saveDraft')) timing.saved = Date.now();
        if (r.url().endsWith('/rpc/getMeasurements')) timing.measured = Date.now();
      });
      const samples = await drag(app.page, { x: v1.x - 1, y: v1.y }, { x: v1.x + 1, y: v1.y });
      const expected = before.mask.slice();
      replay(expected, samples, radius, 0);

      const after = await waitFor('the erased draft stored', async () => {
        const d = await engineOnStoredDraft(app.serve.dbPath, Number(imageId));
        return d.versionId !== before.versionId ? d : null;
      });
      assert.ok(
        Buffer.from(after.mask).equals(Buffer.from(expected)),
        'the stored draft is not the erased mask',
      );
      await panelShows(after.versionId);
      console.log(`panel updated ${timing.measured - timing.saved} ms after the draft was saved`);
      // One autosave, one imagesChanged, one request, one update.
      assert.equal(callsTo('getMeasurements'), requests + 1);
      assert.equal(Number(await panel().getAttribute('data-updates')), updates + 1);
      for (const key of KEYS) {
        assert.equal(await rowText(key), expectedRow(after.measures, key).replace(/\s+/g, ' '), key);
      }
      assert.notEqual(await rowText('crve'), crveBefore, 'CRVE did not change');
      await waitFor('the layer redrawn', async () =>
        ((await layer().getAttribute('data-drawn')) ?? '').startsWith(`${after.versionId}:`),
      );
      const names = namedVessels({
        imageId,
        versionId: after.versionId,
        version: 2,
        kind: 'draft',
        scaleSource: null,
        discBy: null,
        measures: after.measures,
        cached: false,
      }).map((v) => v.name);
      assert.equal(await layer().getAttribute('data-vessels'), names.join(' '));
      await app.page.screenshot({ path: await screenshotPath('measurements-02-after-erase') });

      // Help lists the key.
      await app.page.keyboard.press('h');
      await app.page.getByTestId('help-overlay').filter({ hasText: 'Measurements panel' }).waitFor();
      await app.page.keyboard.press('Escape');
      assert.deepEqual(app.pageErrors, []);
    });

    test("the disc dragged to the field's edge: the panel says it is cut off, and the values stay", async () => {
      const before = await engineOnStoredDraft(app.serve.dbPath, Number(imageId));
      const disc = before.measures.disc;
      assert.ok(disc && !before.measures.discAtFieldEdge, "DRIVE-OD's disc of 02 lies inside the field");
      assert.equal(
        await app.page.getByTestId('measure-note').count(),
        0,
        'a note on a disc inside the field',
      );
      const requests = callsTo('getMeasurements');

      // The disc (right of centre) is dragged by its centre dot, with the artery/vein layer shown, onto the field's
      // edge on its row: half the ring around it then lies outside the field.
      const edgeX = await fieldEdgeRightOf(app.serve.dbPath, Number(imageId), disc);
      await app.page.keyboard.press('v');
      const avToggle = app.page.getByRole('button', { name: 'Artery/vein layer' });
      assert.equal(await avToggle.getAttribute('aria-pressed'), 'true');
      const { view, left, top } = await fittedView(app.page);
      const screen = (x: number, y: number) => ({
        x: left + view.x + x * view.scale,
        y: top + view.y + y * view.scale,
      });
      const from = screen(disc.x, disc.y);
      const to = screen(edgeX, disc.y);
      await app.page.mouse.move(from.x, from.y);
      await app.page.mouse.down();
      await app.page.mouse.move(to.x, to.y, { steps: 5 });
      await app.page.mouse.up();

      const after = await waitFor('the moved disc stored', async () => {
        const d = await engineOnStoredDraft(app.serve.dbPath, Number(imageId));
        return d.versionId !== before.versionId ? d : null;
      });
      assert.ok(
        Math.abs(after.measures.disc!.x - edgeX) < 1,
        `disc at ${after.measures.disc!.x}, edge ${edgeX}`,
      );
      assert.equal(after.measures.discAtFieldEdge, true, 'the engine does not flag the moved disc');
      await panelShows(after.versionId);
      assert.equal(callsTo('getMeasurements'), requests + 1);
      const notes = await app.page.getByTestId('measure-note').allTextContents();
      assert.deepEqual(notes, [DISC_AT_FIELD_EDGE_NOTE]);
      // The values are shown as measured, beside the note.
      for (const key of KEYS) {
        assert.equal(await rowText(key), expectedRow(after.measures, key).replace(/\s+/g, ' '), key);
      }
      await app.page.getByTestId('measure-note').scrollIntoViewIfNeeded();
      await app.page.screenshot({ path: await screenshotPath('measurements-03-disc-at-field-edge') });
      assert.deepEqual(app.pageErrors, []);
    });

    test("another window gives the image a patient and visit: the viewer's Visit report link appears without a reopen", async () => {
      // A link in browser mode, a button in the desktop app: found by its name.
      const visitReport = app.page.getByLabel('Open the report of every image of this visit');
      assert.equal(await visitReport.count(), 0, 'the image already had a visit');
      await app.client.invoke('setClinicalInfo', {
        imageIds: [imageId],
        info: { patientId: 'P-0777', visitDate: '2026-05-04' },
      });
      await visitReport.waitFor();
    });

    test('a 1366x768 screen at 200% zoom: the save state is not cut off, and the labels shrink with the image', async () => {
      const labelsAt = async () =>
        Number(await app.page.getByTestId('measurement-layer').getAttribute('data-label-size'));
      const full = await labelsAt();
      await app.page.setViewportSize({ width: 683, height: 384 });
      try {
        await waitFor('smaller labels', async () => (await labelsAt()) < full);
        const bar = (await app.page.locator('.stage .statusbar').boundingBox())!;
        const save = (await app.page.getByTestId('save-state').boundingBox())!;
        assert.ok(
          save.x + save.width <= bar.x + bar.width + 0.5 && save.y + save.height <= bar.y + bar.height + 0.5,
          `the save state ${JSON.stringify(save)} is outside its bar ${JSON.stringify(bar)}`,
        );
        await app.page.screenshot({ path: await screenshotPath('measurements-04-small-screen') });
      } finally {
        await app.page.setViewportSize({ width: 1280, height: 720 });
      }
    });
  },
);
