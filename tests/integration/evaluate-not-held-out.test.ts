// `retina evaluate` on images the model learnt: a warning on stderr names how many are not held out (trained on,
// validated on) and the JSON report lists them; held-out images alone get no warning.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { repoRoot } from '../e2e/model-fixture.js';
import { retinaCli } from '../support/retina-cli.js';

const CLI = path.join(repoRoot, 'main', 'cli', 'main.ts');
const drive = path.join(
  process.env.RETINA_DATASETS ?? path.join(repoRoot, '..', 'shared', 'datasets'),
  'DRIVE',
);
let tmp: string;

/** DRIVE images in the generic layout: 21_training (the default model trained on it), 26_training (validated on). */
async function dataset(dir: string, ids: string[]): Promise<void> {
  for (const sub of ['images', 'masks', 'fov']) await mkdir(path.join(dir, sub), { recursive: true });
  for (const id of ids) {
    const [n, split] = id.split('_');
    const from = path.join(drive, split);
    await copyFile(path.join(from, 'images', `${id}.tif`), path.join(dir, 'images', `${id}.tif`));
    await copyFile(path.join(from, '1st_manual', `${n}_manual1.gif`), path.join(dir, 'masks', `${id}.gif`));
    await copyFile(path.join(from, 'mask', `${id}_mask.gif`), path.join(dir, 'fov', `${id}.gif`));
  }
}

before(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'evaluate-held-out-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

test('evaluating the default model on images it trained and validated on warns, and the JSON says which', async () => {
  const dir = path.join(tmp, 'DRIVE');
  await dataset(dir, ['21_training', '26_training']);
  const out = path.join(tmp, 'report.json');
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', CLI, 'evaluate', '--dataset', dir, '--split', 'all', '--threads', '2', '--out', out],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stderr,
    /warning: 2 of 2 images scored are not held out: default was trained on 1 \(21_training\) and validated on 1 \(26_training\)/,
  );
  const report = JSON.parse(await readFile(out, 'utf8'));
  assert.deepEqual(report.notHeldOut, { trained: ['21_training'], validated: ['26_training'] });
});

test('held-out images alone are scored without the warning', async () => {
  const dir = path.join(tmp, 'held-out');
  await dataset(dir, ['01_test']);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', CLI, 'evaluate', '--dataset', dir, '--split', 'all', '--threads', '2', '--json'],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /not held out/);
  assert.equal(JSON.parse(r.stdout).notHeldOut, undefined);
});

test('images the model learnt, renamed and re-encoded, are flagged by their fingerprints', async () => {
  const dir = path.join(tmp, 'clinic');
  for (const sub of ['images', 'masks']) await mkdir(path.join(dir, sub), { recursive: true });
  const copies: [string, string, (s: Sharp) => Sharp][] = [
    ['visit-a', '21_training', (s) => s.jpeg({ quality: 80 })],
    ['visit-b', '26_training', (s) => s.png()],
    ['visit-c', '01_test', (s) => s.jpeg({ quality: 90 })],
  ];
  for (const [name, id, encode] of copies) {
    const [n, split] = id.split('_');
    const ext = name === 'visit-b' ? 'png' : 'jpg';
    await encode(sharp(path.join(drive, split, 'images', `${id}.tif`))).toFile(
      path.join(dir, 'images', `${name}.${ext}`),
    );
    await copyFile(
      path.join(drive, split, '1st_manual', `${n}_manual1.gif`),
      path.join(dir, 'masks', `${name}.gif`),
    );
  }
  const r = retinaCli('evaluate', '--dataset', dir, '--split', 'all', '--threads', '2', '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /warning: 2 of 3 images scored are not held out: default was trained on 1 \(visit-a\) and validated on 1 \(visit-b\)/,
  );
  assert.deepEqual(JSON.parse(r.stdout).notHeldOut, { trained: ['visit-a'], validated: ['visit-b'] });
});
