// Photographs whose names differ only in Unicode form: `café.tif` typed here (composed, NFC) and `café.tif` copied
// from a Mac (decomposed, NFD) read as one name, and macOS takes them as one file. `retina segment` names outputs in
// NFC and refuses two such inputs in one run, as it does `a.jpg` and `a.png`, instead of writing two `café_mask.png`
// the user cannot tell apart (one file on a Mac: the second photograph's map over the first's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../e2e/model-fixture.js';
import { driveTestImagePath } from './measure-fixture.js';

const COMPOSED = 'caf\u00e9';
const DECOMPOSED = 'cafe\u0301';
const skip = !existsSync(driveTestImagePath('01')) && 'DRIVE not available';

function retina(args: string[]): { status: number | null; stderr: string } {
  return spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'retina.mjs'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, RETINA_FROM_SOURCE: '1' },
  });
}

test(
  'two photographs named café in either Unicode form are refused as one stem; nothing is written',
  { skip },
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'retina-unicode-names-'));
    try {
      const photos = path.join(dir, 'photos');
      mkdirSync(photos);
      copyFileSync(driveTestImagePath('01'), path.join(photos, `${COMPOSED}.tif`));
      copyFileSync(driveTestImagePath('02'), path.join(photos, `${DECOMPOSED}.tif`));
      const out = path.join(dir, 'seg');
      const r = retina(['segment', photos, '--out', out, '--threads', '1']);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`two inputs share the stem '${COMPOSED}'`));
      assert.ok(!existsSync(out) || readdirSync(out).length === 0, 'no output written');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'a decomposed name gives composed output names, passed over as outputs when named again',
  { skip },
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'retina-unicode-names-'));
    try {
      const photo = path.join(dir, `${DECOMPOSED}.tif`);
      copyFileSync(driveTestImagePath('01'), photo);
      const first = retina(['segment', photo, '--out', dir, '--threads', '1']);
      assert.equal(first.status, 0, first.stderr);
      const mask = `${COMPOSED}_mask.png`;
      assert.ok(readdirSync(dir).includes(mask), readdirSync(dir).join(', '));
      // `dir/*` expanded by a shell names the photograph and its mask: the mask is no photograph to segment.
      const again = retina(['segment', photo, path.join(dir, mask), '--out', dir, '--threads', '1']);
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stderr, /passing over 1 file named like an earlier run's outputs/);
      assert.ok(!readdirSync(dir).some((n) => n.includes('_mask_mask')), readdirSync(dir).join(', '));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
