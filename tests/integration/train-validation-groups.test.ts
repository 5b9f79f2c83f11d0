// `retina train` on a clinic's folder holding two visits of one eye (patient and eye in the file names) and one
// photograph exported twice (TIFF and JPEG under other names): validation takes each group whole. It picked images
// one by one, so with seed 3 it validated on 23 and fitted its JPEG copy, and validated on one visit of pt01's right
// eye and fitted the other.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { repoRoot } from '../e2e/model-fixture.js';
import { retinaCli } from '../support/retina-cli.js';
import type { ModelManifest } from '../../main/ml/types.js';

const drive = path.join(
  process.env.RETINA_DATASETS ?? path.join(repoRoot, '..', 'shared', 'datasets'),
  'DRIVE',
  'training',
);
const tmp = await mkdtemp(path.join(tmpdir(), 'retina-train-groups-'));
after(() => rm(tmp, { recursive: true, force: true }));

/** Each sample's DRIVE training image number; '23-export' is 23 re-encoded as JPEG. */
const SAMPLES: Record<string, string> = {
  pt01_OD_2019: '21',
  pt01_OD_2021: '22',
  '23': '23',
  '23-export': '23',
  '24': '24',
  '25': '25',
};

test("validation keeps one eye's visits and copies of one photograph together", async () => {
  const dir = path.join(tmp, 'clinic');
  for (const sub of ['images', 'masks', 'fov']) await mkdir(path.join(dir, sub), { recursive: true });
  for (const [id, n] of Object.entries(SAMPLES)) {
    const image = path.join(drive, 'images', `${n}_training.tif`);
    if (id === '23-export')
      await sharp(image)
        .jpeg({ quality: 90 })
        .toFile(path.join(dir, 'images', `${id}.jpg`));
    else await copyFile(image, path.join(dir, 'images', `${id}.tif`));
    await copyFile(path.join(drive, '1st_manual', `${n}_manual1.gif`), path.join(dir, 'masks', `${id}.gif`));
    await copyFile(path.join(drive, 'mask', `${n}_training_mask.gif`), path.join(dir, 'fov', `${id}.gif`));
  }
  const r = retinaCli(
    'train',
    '--dataset',
    dir,
    '--out',
    path.join(tmp, 'model'),
    '--recipe',
    'quick',
    '--epochs',
    '1',
    '--steps',
    '1',
    '--no-test',
    '--seed',
    '3',
    '--json',
  );
  assert.equal(r.code, 0, r.stderr);
  const { trainIds, validationIds } = (JSON.parse(r.stdout) as ModelManifest).provenance;
  const side = (id: string): string => (validationIds.includes(id) ? 'validation' : 'fit');
  assert.equal(side('23-export'), side('23'), `validation ${validationIds.join(', ')}`);
  assert.equal(side('pt01_OD_2021'), side('pt01_OD_2019'), `validation ${validationIds.join(', ')}`);
  assert.equal(trainIds.length + validationIds.length, 6);
  assert.ok(validationIds.length >= 1 && validationIds.length <= 2, validationIds.join(', '));
  assert.match(r.stderr, /validation takes whole groups: .*23 \+ 23-export/);
  assert.match(r.stderr, /pt01_OD_2019 \+ pt01_OD_2021/);
});
