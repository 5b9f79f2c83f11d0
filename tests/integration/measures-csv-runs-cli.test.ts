// A clinic measuring each day's photographs into one results folder: measures.csv keeps the rows of the images
// measured there before (whose <stem>_measures.json files stay beside it), and an image measured again replaces
// its row instead of adding a second one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../e2e/model-fixture.js';
import { driveTestImagePath } from './measure-fixture.js';

function retina(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'retina.mjs'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, RETINA_FROM_SOURCE: '1' },
  });
}

/** The image column of measures.csv, as file names. */
function csvImages(file: string): string[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((row) => path.basename(row.split(',')[0]));
}

test(
  'measure into a folder measured before keeps the earlier images in measures.csv and replaces a re-measured one',
  { skip: !existsSync(driveTestImagePath('01')) && 'DRIVE not available' },
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'retina-csv-runs-'));
    try {
      const monday = path.join(dir, 'monday');
      const tuesday = path.join(dir, 'tuesday');
      mkdirSync(monday);
      mkdirSync(tuesday);
      copyFileSync(driveTestImagePath('01'), path.join(monday, 'anna, OD.tif'));
      copyFileSync(driveTestImagePath('02'), path.join(tuesday, 'bert.tif'));
      const results = path.join(dir, 'results');
      const csv = path.join(results, 'measures.csv');
      const measure = (folder: string) => {
        const r = retina(['measure', folder, '--out', results, '--draws', '20', '--threads', '1']);
        assert.equal(r.status, 0, r.stderr);
        return r;
      };
      measure(monday);
      assert.deepEqual(csvImages(csv), ['anna']);
      const second = measure(tuesday);
      assert.match(second.stderr, /measured 1 of 1 images -> .*measures\.csv \(1 earlier image kept\)/);
      assert.deepEqual(csvImages(csv), ['anna', 'bert.tif']);
      assert.deepEqual(readdirSync(results).sort(), [
        'anna, OD_measures.json',
        'bert_measures.json',
        'measures.csv',
      ]);
      // Anna photographed again on Wednesday, into the same folder: her row is the new one, once.
      const before = readFileSync(csv, 'utf8');
      measure(monday);
      assert.deepEqual(csvImages(csv), ['bert.tif', 'anna']);
      assert.equal(readFileSync(csv, 'utf8').split('\n')[0], before.split('\n')[0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  "measure of another folder's photograph of the same name says whose results it replaces, naming both",
  { skip: !existsSync(driveTestImagePath('01')) && 'DRIVE not available' },
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'retina-csv-same-name-'));
    try {
      const a = path.join(dir, 'a');
      const b = path.join(dir, 'b');
      mkdirSync(a);
      mkdirSync(b);
      copyFileSync(driveTestImagePath('01'), path.join(a, '01.tif'));
      copyFileSync(driveTestImagePath('02'), path.join(b, '01.tif'));
      const results = path.join(dir, 'results');
      // b is given relative to its run's folder, as typed in a shell there.
      const measure = (folder: string, cwd = repoRoot) => {
        const r = spawnSync(
          process.execPath,
          [
            path.join(repoRoot, 'bin', 'retina.mjs'),
            'measure',
            folder,
            '--out',
            results,
            '--draws',
            '20',
            '--threads',
            '1',
          ],
          { cwd, encoding: 'utf8', env: { ...process.env, RETINA_FROM_SOURCE: '1' } },
        );
        assert.equal(r.status, 0, r.stderr);
        return r.stderr;
      };
      assert.doesNotMatch(measure(a), /held the results/);
      const json = path.join(results, '01_measures.json');
      assert.equal(
        (JSON.parse(readFileSync(json, 'utf8')) as { source: string }).source,
        path.join(a, '01.tif'),
      );
      const second = measure('b', dir);
      assert.ok(
        second.includes(
          `warning: ${json} held the results of ${path.join(a, '01.tif')}; replaced by those of ${path.join('b', '01.tif')}`,
        ),
        second,
      );
      assert.deepEqual(csvImages(path.join(results, 'measures.csv')), ['01.tif']);
      // The same photograph measured again, from elsewhere and typed otherwise, replaces its results silently.
      assert.doesNotMatch(measure(b), /held the results/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'a _measures.json older than its source field warns only of a photograph it cannot have been',
  { skip: !existsSync(driveTestImagePath('01')) && 'DRIVE not available' },
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'retina-csv-old-json-'));
    try {
      const a = path.join(dir, 'a');
      const b = path.join(dir, 'b');
      mkdirSync(a);
      mkdirSync(b);
      copyFileSync(driveTestImagePath('01'), path.join(a, '01.tif'));
      copyFileSync(driveTestImagePath('02'), path.join(b, '01.tif'));
      const results = path.join(dir, 'results');
      const measure = (photo: string, cwd: string) => {
        const r = spawnSync(
          process.execPath,
          [
            path.join(repoRoot, 'bin', 'retina.mjs'),
            'measure',
            photo,
            '--out',
            results,
            '--draws',
            '20',
            '--threads',
            '1',
          ],
          { cwd, encoding: 'utf8', env: { ...process.env, RETINA_FROM_SOURCE: '1' } },
        );
        assert.equal(r.status, 0, r.stderr);
        return r.stderr;
      };
      // a/01.tif measured by a version that recorded only the input as typed, in the study's folder.
      measure(path.join('a', '01.tif'), dir);
      const json = path.join(results, '01_measures.json');
      const { source: _source, ...old } = JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>;
      assert.equal(old.input, path.join('a', '01.tif'));
      writeFileSync(json, JSON.stringify(old, null, 2) + '\n');
      // The same photograph from another folder: 'a/01.tif' resolved there is another path, but it names this one.
      assert.doesNotMatch(measure(path.join(a, '01.tif'), repoRoot), /held the results/);
      writeFileSync(json, JSON.stringify(old, null, 2) + '\n');
      // b/01.tif cannot be what 'a/01.tif' named, wherever that run started: said, with the name as recorded.
      assert.ok(
        measure(path.join(b, '01.tif'), repoRoot).includes(
          `warning: ${json} held the results of ${path.join('a', '01.tif')}; replaced by those of ${path.join(b, '01.tif')}`,
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
