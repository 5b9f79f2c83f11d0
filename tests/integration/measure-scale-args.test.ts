// `retina measure`'s scale options as a user types them (the built CLI): a pixel size and a field angle are two
// answers to one question, so giving both is refused before anything is read or written, rather than one silently
// dropped (the report then showed the dropped field angle beside micrometres from the pixel size).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../e2e/model-fixture.js';

const CLI = path.join(repoRoot, 'bin', 'retina.mjs');
const SAMPLE = path.join(repoRoot, 'resources', 'samples', 'fundus-normal-left-eye-cc0.jpg');

function measure(args: string[]): { code: number; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'measure', SAMPLE, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stderr: r.stderr };
}

test('--pixel-size and --field-angle together are a usage error; nothing is written', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-measure-scale-'));
  try {
    const out = path.join(dir, 'out');
    const r = measure(['--out', out, '--pixel-size', '10', '--field-angle', '45']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--pixel-size and --field-angle .*one/);
    assert.equal(existsSync(out), false, 'no output folder for a refused command');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
