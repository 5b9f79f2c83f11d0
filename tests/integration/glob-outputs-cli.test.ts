// `retina segment photos/* --out photos` and `retina measure photos/*` as a shell runs them a second time: the glob
// names the first run's maps, measures and CSV beside the photographs. They are outputs, not photographs: passed
// over with a warning, never segmented into <stem>_mask_mask.png nor measured as if they were fundus photographs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

/** What `photos/*` expands to: every file in the folder but the hidden ones, sorted. */
function glob(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => !n.startsWith('.'))
    .sort()
    .map((n) => path.join(dir, n));
}

test(
  'segment and measure given a glob over a folder holding their earlier outputs pass them over, with a warning',
  { skip: !existsSync(driveTestImagePath('01')) && 'DRIVE not available' },
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'retina-glob-outputs-'));
    try {
      const photos = path.join(dir, 'photos');
      const first = retina(['segment', driveTestImagePath('01'), '--out', photos, '--threads', '1']);
      assert.equal(first.status, 0, first.stderr);
      copyFileSync(driveTestImagePath('01'), path.join(photos, '01_test.tif'));
      copyFileSync(driveTestImagePath('02'), path.join(photos, '02.tif'));

      const seg = retina(['segment', ...glob(photos), '--out', photos, '--threads', '1', '--json']);
      assert.equal(seg.status, 0, seg.stderr);
      assert.match(
        seg.stderr,
        /warning: passing over 2 files named like an earlier run's outputs beside their photographs: .*01_test_mask\.png/,
      );
      const segmented = JSON.parse(seg.stdout) as { results: { input: string }[] };
      assert.deepEqual(
        segmented.results.map((r) => path.basename(r.input)),
        ['01_test.tif', '02.tif'],
      );
      assert.deepEqual(readdirSync(photos).sort(), [
        '01_test.tif',
        '01_test_mask.png',
        '01_test_prob.png',
        '02.tif',
        '02_mask.png',
        '02_prob.png',
      ]);

      // Twice: the second time the glob names measure's own JSON files and CSV too.
      for (const run of [1, 2]) {
        const m = retina([
          'measure',
          ...glob(photos),
          '--out',
          photos,
          '--draws',
          '20',
          '--threads',
          '1',
          '--json',
        ]);
        assert.equal(m.status, 0, `run ${run}: ${m.stderr}`);
        assert.match(m.stderr, /warning: passing over \d+ files named like an earlier run's outputs/);
        const measured = JSON.parse(m.stdout) as { results: { input: string }[] };
        assert.deepEqual(
          measured.results.map((r) => path.basename(r.input)),
          ['01_test.tif', '02.tif'],
          `run ${run}`,
        );
        const rows = readFileSync(path.join(photos, 'measures.csv'), 'utf8').trim().split('\n').slice(1);
        assert.deepEqual(
          rows.map((r) => path.basename(r.split(',')[0])),
          ['01_test.tif', '02.tif'],
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
