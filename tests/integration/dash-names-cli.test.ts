// A photograph whose name starts with '-' (a camera's '-04.tif', a scan '-1.png') given by name: node's parser
// takes it for options ('Unknown option -0'); the error says it is the file and how to name it, and that way works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../e2e/model-fixture.js';
import { driveTestImagePath } from './measure-fixture.js';

function retina(cwd: string, args: string[]): { status: number | null; stderr: string } {
  return spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'retina.mjs'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, RETINA_FROM_SOURCE: '1' },
  });
}

test(
  "a photograph named '-04.tif' is named in the usage error with the way to give it",
  { skip: !existsSync(driveTestImagePath('04')) && 'DRIVE not available' },
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'retina-dash-names-'));
    try {
      copyFileSync(driveTestImagePath('04'), path.join(dir, '-04.tif'));
      for (const command of ['segment', 'measure']) {
        const r = retina(dir, [command, '-04.tif', '--out', 'out']);
        assert.equal(r.status, 2, r.stderr);
        assert.match(
          r.stderr,
          new RegExp(
            `retina ${command}: '-04\\.tif' is a file, but a name starting with '-' reads as options: ` +
              `write it as \\./-04\\.tif, or put it after '--' at the end of the command`,
          ),
        );
      }
      // retina db import too (before: "Unknown option '-0'").
      const db = retina(dir, ['db', 'import', '--db', 'study.db', '-04.tif']);
      assert.equal(db.status, 2, db.stderr);
      assert.match(
        db.stderr,
        /retina db: '-04\.tif' is a file, but a name starting with '-' reads as options/,
      );
      const r = retina(dir, ['segment', './-04.tif', '--out', 'out', '--threads', '1']);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(readdirSync(path.join(dir, 'out')).sort(), ['-04_mask.png', '-04_prob.png']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
