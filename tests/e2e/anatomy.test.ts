// Artery/vein correction end to end, in a real browser (browser mode, 1280x720) against a real `retina serve`
// whose predictions run the bundled vessel and optic-disc models and a tiny artery/vein model (RETINA_ANATOMY_MODELS;
// a random disc network finds no plausible disc): the prediction stores its labels; in the
// viewer V and the toolbar button toggle the artery/vein colouring; the Flip segment tool flips one vessel segment
// (undone and redone); the Flip vessel tool (Shift+X) and Shift+Alt+click each flip a whole vessel; the disc marker
// is dragged; the approval is read back from the database and compared, pixel for pixel, with the flips computed
// here from the prediction's labels and the segments of its mask. Hiding the layer puts the artery brush and the
// Disc tool away, so no click relabels a vessel or moves the disc unseen.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, latestMaskVersion, loadAvLabels, loadMask } from '../../main/store/index.js';
import { vesselSegments, type VesselSegments } from '../../shared/vessel-segments.js';
import { segmentNodes, type SegmentNode } from '../../shared/segment-nodes.js';
import { armDirectionAt, flipVessel, shortPieceAt } from '../../renderer/src/editing/avVessel.js';
import { avColours, fittedView, importAndPredict, jobFinished, W, H, waitFor } from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { bundledAnatomyWorkstation, driveTestImage } from './model-fixture.js';

/** The latest version of `kind` with its artery/vein labels, straight from the database file. */
async function storedAv(dbPath: string, imageId: number, kind: 'prediction' | 'draft' | 'approved') {
  const store = openStore(dbPath, { readonly: true });
  try {
    const v = latestMaskVersion(store, imageId, kind);
    if (!v) return null;
    return {
      id: v.id,
      mask: (await loadMask(store, v)).data,
      av: await loadAvLabels(store, v),
      anatomy: v.anatomy,
    };
  } finally {
    store.close();
  }
}

/** Pixels deep inside a segment (its 5x5 neighbourhood owned by that segment alone), one per segment. */
function insidePixels(seg: VesselSegments): Map<number, { x: number; y: number }> {
  const out = new Map<number, { x: number; y: number }>();
  for (let y = 2; y < H - 2; y++) {
    for (let x = 2; x < W - 2; x++) {
      const id = seg.owner[y * W + x];
      if (!id || out.has(id)) continue;
      let inside = true;
      for (let dy = -2; dy <= 2 && inside; dy++)
        for (let dx = -2; dx <= 2; dx++) inside &&= seg.owner[(y + dy) * W + x + dx] === id;
      if (inside) out.set(id, { x, y });
    }
  }
  return out;
}

/**
 * Of the segments not in `exclude` that a click can land inside (away from the disc's centre, where a click grabs
 * the disc), the one whose vessel flip changes most pixels of `labels`, and the labels that flip must give (the
 * pure function the viewer runs, on the stored mask's segments).
 */
function plannedVesselFlip(
  seg: VesselSegments,
  nodes: SegmentNode[],
  labels: Uint8Array,
  exclude: ReadonlySet<number>,
  disc: { x: number; y: number },
) {
  let best: {
    at: { x: number; y: number };
    expected: Uint8Array;
    changed: number;
    segments: Set<number>;
  } | null = null;
  for (const [id, at] of insidePixels(seg)) {
    if (exclude.has(id) || Math.hypot(at.x - disc.x, at.y - disc.y) < 40) continue;
    const expected = labels.slice();
    flipVessel(expected, seg, nodes, W, H, { x: at.x + 0.5, y: at.y + 0.5 });
    let changed = 0;
    const segments = new Set<number>();
    for (let i = 0; i < labels.length; i++) {
      if (expected[i] === labels[i]) continue;
      changed++;
      segments.add(seg.owner[i]);
    }
    if (!best || changed > best.changed) best = { at, expected, changed, segments };
  }
  assert.ok(best, 'the prediction has no segment wide enough to click inside');
  return best;
}

/**
 * A pixel deep inside one long segment (its 5x5 neighbourhood owned by that segment alone, so a click there
 * cannot land on another), and the labels the flip of that segment must give: every pixel it owns takes the
 * opposite of the segment's majority label (artery wins a tie).
 */
function plannedFlip(mask: Uint8Array, labels: Uint8Array) {
  const seg = vesselSegments(mask, W, H);
  let best: { x: number; y: number; id: number } | null = null;
  for (let y = 2; y < H - 2; y++) {
    for (let x = 2; x < W - 2; x++) {
      const id = seg.owner[y * W + x];
      if (!id || (best && seg.length[id] <= seg.length[best.id])) continue;
      let inside = true;
      for (let dy = -2; dy <= 2 && inside; dy++)
        for (let dx = -2; dx <= 2; dx++) inside &&= seg.owner[(y + dy) * W + x + dx] === id;
      if (inside) best = { x, y, id };
    }
  }
  assert.ok(best, 'the prediction has no segment wide enough to click inside');
  let artery = 0;
  let vein = 0;
  for (let i = 0; i < labels.length; i++) {
    if (seg.owner[i] !== best.id) continue;
    if (labels[i] === 1) artery++;
    if (labels[i] === 2) vein++;
  }
  const to = artery >= vein ? 2 : 1;
  const expected = Uint8Array.from(labels, (v, i) => (seg.owner[i] === best.id ? to : v));
  return { at: best, expected, changed: seg.owner.filter((o) => o === best.id).length, seg };
}

describe(
  'artery/vein correction end to end (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let imageId: string;
    const app = useWorkstation(bundledAnatomyWorkstation);

    before(async () => {
      imageId = await importAndPredict(app.client, driveTestImage('01'));
    });

    test('flip a segment and two vessels, approve, and read the corrected map back from the database pixel for pixel', async () => {
      const pred = await storedAv(app.serve.dbPath, Number(imageId), 'prediction');
      assert.ok(pred?.av, 'the prediction stored no artery/vein map');
      for (let i = 0; i < pred.mask.length; i++) {
        if ((pred.av[i] !== 0) !== (pred.mask[i] !== 0))
          assert.fail(`prediction labels disagree with its mask at ${i}`);
      }
      const masks = await app.client.invoke('getMasks', { imageId });
      assert.equal(masks.anatomyModels, true);
      const plan = plannedFlip(pred.mask, pred.av);
      // Two vessel flips after it: the first with the Flip vessel tool, the second by Shift+Alt+click elsewhere.
      // Nodes as the viewer's document builds them (its arm directions).
      const nodes = segmentNodes(plan.seg, W, H, shortPieceAt(W, H), armDirectionAt(W, H));
      const disc = pred.anatomy?.disc;
      assert.ok(disc, 'the bundled disc model found no disc on DRIVE 01');
      const vessel = plannedVesselFlip(plan.seg, nodes, plan.expected, new Set([plan.at.id]), disc);
      const second = plannedVesselFlip(
        plan.seg,
        nodes,
        vessel.expected,
        new Set([plan.at.id, ...vessel.segments]),
        disc,
      );
      assert.ok(
        vessel.segments.size >= 2,
        `the first vessel flip changes ${vessel.segments.size} segment(s)`,
      );
      assert.ok(second.changed > 0);

      await app.page.goto(app.serve.url);
      await app.page.getByTestId('worklist').waitFor();
      await app.page.locator(`[data-testid="image-row"][data-image-id="${imageId}"]`).dblclick();
      await app.page.getByTestId('mask-canvas').waitFor();
      await app.page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();

      // V and the toolbar button toggle the layer; it paints artery and vein colours.
      const toggle = app.page.getByRole('button', { name: 'Artery/vein layer' });
      assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
      await app.page.keyboard.press('v');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      await toggle.click();
      assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
      await app.page.keyboard.press('v');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      const coloured = () => avColours(app.page);
      await waitFor('artery/vein colours on the overlay', coloured);
      await app.page.screenshot({ path: await screenshotPath('anatomy-01-av-layer') });

      // The Flip segment tool (X), one click inside the chosen segment.
      await app.page.keyboard.press('x');
      assert.match((await app.page.getByTestId('tool-flip').getAttribute('class')) ?? '', /\bon\b/);
      const { view, left, top } = await fittedView(app.page);
      await app.page.mouse.click(
        left + view.x + (plan.at.x + 0.5) * view.scale,
        top + view.y + (plan.at.y + 0.5) * view.scale,
      );
      const draft = await waitFor('the flipped labels saved as a draft', async () => {
        const d = await storedAv(app.serve.dbPath, Number(imageId), 'draft');
        return d?.av && Buffer.from(d.av).equals(Buffer.from(plan.expected)) ? d : null;
      });
      assert.ok(plan.changed > 0);
      // Undo takes the flip back (saved again), redo restores it.
      await app.page.keyboard.press('Control+z');
      await waitFor('the flip undone', async () => {
        const d = await storedAv(app.serve.dbPath, Number(imageId), 'draft');
        return d && d.id !== draft.id && d.av && Buffer.from(d.av).equals(Buffer.from(pred.av!)) ? d : null;
      });
      await app.page.keyboard.press('Control+Shift+z');
      await waitFor('the flip redone', async () => {
        const d = await storedAv(app.serve.dbPath, Number(imageId), 'draft');
        return d?.av && Buffer.from(d.av).equals(Buffer.from(plan.expected)) ? d : null;
      });

      // The Flip vessel tool (Shift+X), one click: the whole vessel through that segment.
      await app.page.keyboard.press('Shift+X');
      assert.match((await app.page.getByTestId('tool-flipVessel').getAttribute('class')) ?? '', /\bon\b/);
      const click = async (p: { x: number; y: number }) =>
        app.page.mouse.click(
          left + view.x + (p.x + 0.5) * view.scale,
          top + view.y + (p.y + 0.5) * view.scale,
        );
      await click(vessel.at);
      await waitFor('the flipped vessel saved as a draft', async () => {
        const d = await storedAv(app.serve.dbPath, Number(imageId), 'draft');
        return d?.av && Buffer.from(d.av).equals(Buffer.from(vessel.expected)) ? d : null;
      });
      // With the Flip segment tool, Shift+Alt+click flips a vessel all the same.
      await app.page.keyboard.press('x');
      await app.page.keyboard.down('Shift');
      await app.page.keyboard.down('Alt');
      await click(second.at);
      await app.page.keyboard.up('Alt');
      await app.page.keyboard.up('Shift');
      await waitFor('the second flipped vessel saved as a draft', async () => {
        const d = await storedAv(app.serve.dbPath, Number(imageId), 'draft');
        return d?.av && Buffer.from(d.av).equals(Buffer.from(second.expected)) ? d : null;
      });
      const flipped = second.expected;

      // The disc marker's centre dot drags the disc (whatever the tool); the draft records who moved it.
      const from = { x: left + view.x + disc.x * view.scale, y: top + view.y + disc.y * view.scale };
      await app.page.mouse.move(from.x, from.y);
      await app.page.mouse.down();
      await app.page.mouse.move(from.x + 30, from.y + 12, { steps: 5 });
      await app.page.mouse.up();
      const { user } = await app.client.invoke('getAppInfo', {});
      const moved = await waitFor('the moved disc saved', async () => {
        const d = await storedAv(app.serve.dbPath, Number(imageId), 'draft');
        return d?.anatomy?.disc && d.anatomy.disc.x !== disc.x ? d : null;
      });
      assert.ok(Math.abs(moved.anatomy!.disc!.x - (disc.x + 30 / view.scale)) < 0.01);
      assert.ok(Math.abs(moved.anatomy!.disc!.y - (disc.y + 12 / view.scale)) < 0.01);
      assert.equal(moved.anatomy!.disc!.diameter, disc.diameter);
      assert.equal(moved.anatomy!.discMovedBy, user);
      assert.ok(moved.av && Buffer.from(moved.av).equals(Buffer.from(flipped)), 'the drag changed labels');
      // Undo puts the disc back (the flip stays), redo moves it again.
      await app.page.keyboard.press('Control+z');
      await waitFor('the disc back in place', async () => {
        const d = await storedAv(app.serve.dbPath, Number(imageId), 'draft');
        return d && d.anatomy?.disc?.x === disc.x && d.av && Buffer.from(d.av).equals(Buffer.from(flipped));
      });
      await app.page.keyboard.press('Control+Shift+z');
      await waitFor('the disc moved again', async () => {
        const d = await storedAv(app.serve.dbPath, Number(imageId), 'draft');
        return d?.anatomy?.disc?.x === moved.anatomy!.disc!.x;
      });

      await app.page.keyboard.press('a');
      const approved = await waitFor('the approval', () =>
        storedAv(app.serve.dbPath, Number(imageId), 'approved'),
      );
      assert.ok(approved.av, 'the approval has no artery/vein map');
      assert.ok(Buffer.from(approved.mask).equals(Buffer.from(pred.mask)), 'the vessel mask changed');
      let wrong = 0;
      for (let i = 0; i < flipped.length; i++) if (approved.av[i] !== flipped[i]) wrong++;
      assert.equal(wrong, 0, `${wrong} pixels of the approved artery/vein map differ from the flips`);
      assert.deepEqual(approved.anatomy, moved.anatomy, 'the approval keeps the moved disc and its mover');

      // Help lists the new keys.
      await app.page.keyboard.press('h');
      const help = app.page.getByTestId('help-overlay');
      await help.getByText('Flip segment').waitFor();
      await help.getByText('Flip vessel', { exact: false }).waitFor();
      await help.getByText('Artery/vein colours', { exact: false }).waitFor();
      await app.page.screenshot({ path: await screenshotPath('anatomy-02-help') });
    });

    test('hiding the A/V layer puts away the artery brush and the Disc tool: no label or disc changes unseen', async () => {
      // A second, unedited image (importAndPredict names the study's first).
      const imported = await app.client.invoke('importFiles', { paths: [driveTestImage('02')] });
      await jobFinished(app.client, imported.jobId);
      const listed = await app.client.invoke('listImages', { offset: 0, limit: 10 });
      const id = listed.items.find((i) => i.id !== imageId)!.id;
      await jobFinished(app.client, (await app.client.invoke('predict', { imageIds: [id] })).jobId);
      const pred = await storedAv(app.serve.dbPath, Number(id), 'prediction');
      assert.ok(pred?.av && pred.anatomy?.disc, 'the prediction stored no artery/vein map or disc');
      const disc = pred.anatomy.disc;
      // A vein pixel deep inside its segment, away from the disc: the artery brush would relabel it.
      const seg = vesselSegments(pred.mask, W, H);
      const at = [...insidePixels(seg).values()].find(
        (p) => pred.av![p.y * W + p.x] === 2 && Math.hypot(p.x - disc.x, p.y - disc.y) > 60,
      );
      assert.ok(at, 'no vein segment to click inside');

      // Straight to the image by its address, on a fresh page (the test before left Help open and the layer shown).
      await app.page.goto(`${new URL(app.serve.url).origin}/#/image/${id}`);
      await app.page.reload();
      await app.page.locator(`[data-testid="viewer"][data-image-id="${id}"]`).waitFor();
      await app.page.getByTestId('mask-canvas').waitFor();
      await app.page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();
      const { view, left, top } = await fittedView(app.page);
      const click = (p: { x: number; y: number }) =>
        app.page.mouse.click(
          left + view.x + (p.x + 0.5) * view.scale,
          top + view.y + (p.y + 0.5) * view.scale,
        );
      const toggle = app.page.getByRole('button', { name: 'Artery/vein layer' });
      const isOn = async (tool: string) =>
        /\bon\b/.test((await app.page.getByTestId(`tool-${tool}`).getAttribute('class')) ?? '');

      // The artery/vein map loaded (the A/V tools refuse until it is).
      await waitFor('the A/V layer available', () => toggle.isEnabled());
      // The artery brush shows the layer; V hides it, and the brush goes with it.
      await app.page.keyboard.press('r');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      await app.page.keyboard.press('v');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
      assert.equal(await isOn('artery'), false, 'the artery brush is still in hand with the layer hidden');
      assert.ok(await isOn('pan'));
      await click(at);
      // The same for the Disc tool, whose click would centre the (hidden) disc there.
      await app.page.keyboard.press('Shift+D');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      await toggle.click();
      assert.equal(await isOn('disc'), false, 'the Disc tool is still in hand with the layer hidden');
      await click({ x: disc.x + 80, y: disc.y + 40 });
      await new Promise((r) => setTimeout(r, 2500)); // beyond the autosave delay
      assert.equal(
        await storedAv(app.serve.dbPath, Number(id), 'draft'),
        null,
        'a click with the layer hidden saved an edit',
      );

      // Shown again, the artery brush relabels that vein pixel (the clicks above would have).
      await app.page.keyboard.press('r');
      await click(at);
      await waitFor('the artery stroke saved', async () => {
        const d = await storedAv(app.serve.dbPath, Number(id), 'draft');
        return d?.av?.[at.y * W + at.x] === 1 ? d : null;
      });
    });
  },
);
