// A photograph with a legal but long name (244 bytes of Japanese): every output `retina segment` and `retina
// measure` write after its stem (`<stem>_uncertainty.png`, `_measures.json`, `_report.html`, ...) is written, under
// a stem shortened to fit, instead of some failing with ENAMETOOLONG and leaving the others behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../e2e/model-fixture.js';
import { driveTestImagePath } from './measure-fixture.js';

const PHOTO = driveTestImagePath('02');

function retina(args: string[]): { status: number | null; stderr: string } {
  // The sources as they are (a built dist/ may be older).
  return spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'retina.mjs'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, RETINA_FROM_SOURCE: '1' },
  });
}

/** The output names, each with its stem replaced by `<stem>`. */
function outputs(dir: string, stem: RegExp): string[] {
  return readdirSync(dir)
    .map((n) => {
      assert.ok(Buffer.byteLength(n) <= 255, n);
      return n.replace(stem, '<stem>');
    })
    .sort();
}

test(
  'segment and measure write every output of a photograph whose name is 244 bytes long',
  { skip: !existsSync(PHOTO) && 'DRIVE not available' },
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'retina-long-names-'));
    try {
      const photo = path.join(dir, `${'眼底写真'.repeat(20)}.tif`);
      copyFileSync(PHOTO, photo);
      // The stem's start, cut after a whole character, and a hash of the whole stem.
      const stem = /^(眼底写真)+眼?底?写?~[0-9a-f]{8}/;
      const seg = path.join(dir, 'seg');
      const s = retina(['segment', photo, '--out', seg, '--uncertainty', '--av', '--threads', '1']);
      assert.equal(s.status, 0, s.stderr);
      assert.deepEqual(outputs(seg, stem), [
        '<stem>_av.png',
        '<stem>_disc.json',
        '<stem>_mask.png',
        '<stem>_prob.png',
        '<stem>_uncertainty.png',
      ]);
      const measured = path.join(dir, 'measure');
      const m = retina(['measure', photo, '--out', measured, '--draws', '20', '--report', '--threads', '1']);
      assert.equal(m.status, 0, m.stderr);
      assert.deepEqual(outputs(measured, stem), [
        '<stem>_measures.json',
        '<stem>_report.html',
        'measures.csv',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
