// Uncertainty with the bundled model on real DRIVE images: `retina segment --uncertainty` writes a 16-bit map at
// the input's size that points at the mask's own errors and an expected F1 close to the true one; a model without
// a head is refused with the fix named; predictions through the workstation store the map and scores, serve them
// (getUncertainty), and "Review next" orders the worklist by expected F1 with approved images last.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWorkstation, type CallerContext, type Workstation } from '../../main/handlers/index.js';
import sharp from 'sharp';
import { readImage, toBinaryMap } from '../../main/ml/io/image-io.js';
import { openModel } from '../../main/ml/model/model-loader.js';
import { segmentImage } from '../../main/ml/infer.js';
import { aucRocFromTable, scoreTable } from '../../main/ml/eval/metrics.js';
import { datasetsRoot, repoRoot } from '../e2e/model-fixture.js';
import { handlerCaller } from '../support/handler-call.js';
import { retinaCli } from '../support/retina-cli.js';

const ctx: CallerContext = { shell: 'browser', sender: 'test' };
const DRIVE_TEST = path.join(datasetsRoot, 'DRIVE', 'test');
const MODEL = path.join(repoRoot, 'resources', 'models', 'default');

const retina = (args: string[]) => retinaCli(...args);

interface Point {
  x: number;
  y: number;
}

const image = (n: string) => path.join(DRIVE_TEST, 'images', `${n}_test.tif`);

describe('uncertainty', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-uncertainty-test-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('retina segment --uncertainty: a 16-bit map that ranks the errors, and an expected F1 near the true F1', async () => {
    const out = path.join(dir, 'cli');
    const r = retina([
      'segment',
      image('01'),
      image('02'),
      '--out',
      out,
      '--uncertainty',
      '--threads',
      '1',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as {
      results: {
        input: string;
        mask: string;
        uncertainty: string;
        quality: { expectedF1: number; gaps: { from: Point; to: Point }[] };
      }[];
    };
    for (const [i, res] of summary.results.entries()) {
      const n = ['01', '02'][i];
      assert.equal(path.basename(res.uncertainty), `${n}_test_uncertainty.png`);
      const u = await readImage(res.uncertainty);
      assert.deepEqual([u.width, u.height, u.channels, u.bitDepth], [565, 584, 1, 16]);
      const mask = toBinaryMap(await readImage(res.mask)).data;
      const truth = toBinaryMap(
        await readImage(path.join(DRIVE_TEST, '1st_manual', `${n}_manual1.gif`)),
      ).data;
      const fov = toBinaryMap(await readImage(path.join(DRIVE_TEST, 'mask', `${n}_test_mask.gif`))).data;
      const wrong = Uint8Array.from(mask, (m, k) => ((m ? 1 : 0) !== (truth[k] ? 1 : 0) ? 1 : 0));
      const score = Float32Array.from(u.data, (v) => v / 65535);
      const auroc = aucRocFromTable(scoreTable(score, wrong, fov));
      assert.ok(auroc > 0.9, `${n}: AUROC of the map against the mask's errors ${auroc}`);
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (let k = 0; k < mask.length; k++) {
        if (!fov[k]) continue;
        if (mask[k] && truth[k]) tp++;
        else if (mask[k]) fp++;
        else if (truth[k]) fn++;
      }
      const f1 = (2 * tp) / (2 * tp + fp + fn);
      const expected = res.quality.expectedF1;
      assert.ok(Math.abs(expected - f1) < 0.05, `${n}: expected F1 ${expected} vs true ${f1}`);
      // A likely gap joins two vessels inside the field; the frame's margin beyond the aperture (stray
      // probability, never part of the mask) once supplied pieces that vessels leaving the field pointed at.
      assert.ok(res.quality.gaps.length > 0, `${n}: no likely gaps at all`);
      for (const g of res.quality.gaps) {
        for (const p of [g.from, g.to])
          assert.ok(
            fov[Math.round(p.y) * 565 + Math.round(p.x)],
            `${n}: a gap ends outside the field at ${JSON.stringify(p)}`,
          );
      }
    }
  });

  test('a photograph beyond 2.5 MP is judged on a coarser grid: the map is still at its size and ranks the errors', async () => {
    // DRIVE 01 and its reference enlarged 3x (1695x1752, 3 MP): the head runs at half that resolution.
    const f = 3;
    const big = async (file: string, nearest: boolean) =>
      readImage(
        await sharp(file)
          .resize(565 * f, 584 * f, { kernel: nearest ? 'nearest' : 'cubic' })
          .png()
          .toFile(path.join(dir, `${path.basename(file)}-x${f}.png`))
          .then(() => path.join(dir, `${path.basename(file)}-x${f}.png`)),
      );
    const photo = await big(image('01'), false);
    const truth = toBinaryMap(await big(path.join(DRIVE_TEST, '1st_manual', '01_manual1.gif'), true)).data;
    const fov = toBinaryMap(await big(path.join(DRIVE_TEST, 'mask', '01_test_mask.gif'), true));
    const model = await openModel(MODEL, { threads: 1 });
    try {
      const seg = await segmentImage(photo, model.manifest, model.predictor, { fov, uncertainty: true });
      const u = seg.uncertainty!;
      assert.equal(u.map.length, 565 * f * 584 * f);
      const wrong = Uint8Array.from(seg.mask, (m, k) => (m !== (truth[k] ? 1 : 0) ? 1 : 0));
      const auroc = aucRocFromTable(scoreTable(u.map, wrong, fov.data));
      assert.ok(auroc > 0.9, `AUROC ${auroc}`);
      let tp = 0;
      let wrongCount = 0;
      for (let k = 0; k < wrong.length; k++) {
        if (!fov.data[k]) continue;
        if (seg.mask[k] && truth[k]) tp++;
        wrongCount += wrong[k];
      }
      const f1 = (2 * tp) / (2 * tp + wrongCount);
      assert.ok(Math.abs(u.expectedF1 - f1) < 0.05, `expected F1 ${u.expectedF1} vs true ${f1}`);
    } finally {
      await model.predictor.dispose();
    }
  });

  test('a model without an uncertainty head is refused with the fix named, and writes nothing', async () => {
    const bare = path.join(dir, 'bare-model');
    await cp(MODEL, bare, { recursive: true });
    const manifestPath = path.join(bare, 'retina-model.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
    delete manifest.uncertainty;
    await writeFile(manifestPath, JSON.stringify(manifest));
    const out = path.join(dir, 'bare-out');
    const r = retina(['segment', image('01'), '--out', out, '--model', bare, '--uncertainty']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no uncertainty head.*retina calibrate/);
    assert.equal(existsSync(out), false, 'nothing was written');
    const plain = retina(['segment', image('01'), '--out', out, '--model', bare, '--threads', '1']);
    assert.equal(plain.code, 0, 'without the flag the same model still segments');
  });

  describe('through the workstation', () => {
    let ws: Workstation;

    const call = handlerCaller(() => ws, ctx);

    before(async () => {
      ws = await createWorkstation({
        dbPath: path.join(dir, 'retina.db'),
        shell: 'browser',
        modelDir: MODEL,
        user: 'ann',
        threads: 1,
      });
    });

    after(async () => {
      await ws.close();
    });

    test('predictions carry the map and scores; Review next sorts by expected F1, approved last', async () => {
      const imported = await call('importFiles', { paths: ['03', '04', '05'].map(image) });
      assert.equal((await ws.jobs.wait(imported.jobId)).state, 'done');
      const ids = (await call('listImages', { offset: 0, limit: 10 })).items.map((i) => i.id);
      const pred = await call('predict', { imageIds: ids });
      assert.equal((await ws.jobs.wait(pred.jobId)).state, 'done');

      const rows = (await call('listImages', { offset: 0, limit: 10, sort: 'review-next' })).items;
      assert.equal(rows.length, 3);
      const f1s = rows.map((r) => r.quality?.expectedF1 ?? NaN);
      assert.ok(
        f1s.every((f) => f > 0.5 && f < 1),
        `expected F1s ${f1s.join(', ')}`,
      );
      assert.deepEqual(
        f1s,
        [...f1s].sort((a, b) => a - b),
        'lowest expected F1 first',
      );

      const u = await call('getUncertainty', { imageId: rows[0].id });
      assert.ok(u);
      assert.equal(u.data.length, 565 * 584);
      assert.equal(u.quality.expectedF1, rows[0].quality?.expectedF1);
      assert.equal(u.gaps.length, rows[0].quality?.gaps);
      assert.ok(
        u.data.some((v) => v > 128),
        'some pixels are more likely wrong than right',
      );

      // Approving the lowest-scored image moves it to the end of "Review next".
      const masks = await call('getMasks', { imageId: rows[0].id });
      const p = masks.prediction!;
      const mask = Uint8Array.from(p.data, (v) => (v / 255 >= p.threshold ? 1 : 0));
      await call('approveMask', {
        imageId: rows[0].id,
        width: 565,
        height: 584,
        mask,
        parentVersionId: p.versionId,
      });
      const after = (await call('listImages', { offset: 0, limit: 10, sort: 'review-next' })).items.map(
        (r) => r.id,
      );
      assert.deepEqual(after, [rows[1].id, rows[2].id, rows[0].id]);
    });
  });
});
