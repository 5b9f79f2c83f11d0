// `retina train` on a clinic's folder holding two visits of one eye (patient and eye in the file names) and one
// photograph exported twice (TIFF and JPEG under other names): validation takes each group whole. It picked images
// one by one, so with seed 3 it validated on 23 and fitted its JPEG copy, and validated on one visit of pt01's right
// eye and fitted the other.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
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

/** One epoch of one step of the quick recipe, the manifest on stdout: where the validation line fell. */
const quickTrain = (...args: string[]) =>
  retinaCli('train', ...args, '--recipe', 'quick', '--epochs', '1', '--steps', '1', '--no-test', '--json');

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
  const r = quickTrain('--dataset', dir, '--out', path.join(tmp, 'model'), '--seed', '3');
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

/** A mix's sample: DRIVE training image number, its file name in the mix's folder ('.jpg': re-encoded). */
const MIX: Record<string, [string, string][]> = {
  // The mix validates the 1st and 3rd by id: pt01's 2021 visit of the same eye was fitted.
  DRIVE: [
    ['21', 'pt01_OD_2019.png'],
    ['22', 'pt01_OD_2021.png'],
    ['23', 'pt02_OS_2020.png'],
  ],
  // s2 (fitted) is DRIVE's validation photograph pt02_OS_2020 exported again as JPEG.
  STARE: [
    ['24', 's1.png'],
    ['23', 's2.jpg'],
    ['25', 's3.png'],
  ],
  'LES-AV': [
    ['26', 'l1.png'],
    ['27', 'l2.png'],
    ['28', 'l3.png'],
  ],
  'AV-WIDE': [
    ['29', 'w1.png'],
    ['30', 'w2.png'],
    ['31', 'w3.png'],
    ['32', 'w4.png'],
  ],
};

/** Writes `mix` as the generalist mix's folders under `root`, each sample a small copy of its DRIVE image. */
async function writeMix(root: string, mix: Record<string, [string, string][]>): Promise<void> {
  for (const [folder, samples] of Object.entries(mix)) {
    const dir = path.join(root, folder);
    for (const sub of ['images', 'masks', 'fov']) await mkdir(path.join(dir, sub), { recursive: true });
    // Small copies (a third of DRIVE's size): the grouping reads the photographs, not their size.
    const small = (file: string, kernel: 'lanczos3' | 'nearest' = 'lanczos3') =>
      sharp(file).resize(188, 195, { fit: 'fill', kernel });
    for (const [n, name] of samples) {
      const stem = name.replace(/\.\w+$/, '');
      const image = small(path.join(drive, 'images', `${n}_training.tif`));
      await (name.endsWith('.jpg') ? image.jpeg({ quality: 90 }) : image.png()).toFile(
        path.join(dir, 'images', name),
      );
      await small(path.join(drive, '1st_manual', `${n}_manual1.gif`), 'nearest')
        .png()
        .toFile(path.join(dir, 'masks', `${stem}.png`));
      await small(path.join(drive, 'mask', `${n}_training_mask.gif`), 'nearest')
        .png()
        .toFile(path.join(dir, 'fov', `${stem}.png`));
    }
  }
  await writeFile(
    path.join(root, 'LES-AV', 'split_train_rmaphoh.txt'),
    mix['LES-AV'].map(([, name]) => name.replace(/\.\w+$/, '')).join('\n') + '\n',
  );
}

test("a mix's fixed validation images take their eye's other visits and their copies with them", async () => {
  const root = path.join(tmp, 'mix');
  await writeMix(root, MIX);
  const r = quickTrain('--mix', 'generalist', '--dataset', root, '--out', path.join(tmp, 'mix-model'));
  assert.equal(r.code, 0, r.stderr);
  const { trainIds, validationIds } = (JSON.parse(r.stdout) as ModelManifest).provenance;
  assert.deepEqual([...validationIds].sort(), [
    'av-wide/w1',
    'av-wide/w3',
    'av-wide/w4',
    'drive/pt01_OD_2019',
    'drive/pt01_OD_2021',
    'drive/pt02_OS_2020',
    'les-av/l1',
    'les-av/l3',
    'stare/s1',
    'stare/s2',
    'stare/s3',
  ]);
  assert.deepEqual([...trainIds].sort(), ['av-wide/w2', 'les-av/l2']);
  assert.match(
    r.stderr,
    /validation takes whole groups: moved drive\/pt01_OD_2021 \(with drive\/pt01_OD_2019\), stare\/s2 \(with drive\/pt02_OS_2020\) from fitting to validation/,
  );
});

test('a mix whose every fitted image moves to validation with its group is refused, saying why', async () => {
  // Each camera's images all validate but DRIVE's pt01_OD_2021, another visit of the validated pt01_OD_2019.
  const root = path.join(tmp, 'mix-all-validating');
  await writeMix(root, {
    DRIVE: MIX.DRIVE,
    STARE: MIX.STARE.filter(([, name]) => name !== 's2.jpg'),
    'LES-AV': MIX['LES-AV'].slice(0, 2),
    'AV-WIDE': MIX['AV-WIDE'].slice(0, 3),
  });
  const out = path.join(tmp, 'refused-model');
  const r = quickTrain('--mix', 'generalist', '--dataset', root, '--out', out);
  assert.notEqual(r.code, 0, r.stdout);
  assert.match(
    r.stderr,
    /every training image validates or is one eye's photograph or a copy of one photograph with a validation image \(drive\/pt01_OD_2021\): nothing is left to fit/,
  );
  assert.equal(existsSync(out), false, 'a model was written');
});
