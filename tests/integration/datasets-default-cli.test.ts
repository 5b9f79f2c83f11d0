// The commands that read the public datasets by default, on a machine without them (a newcomer's): their help
// names the default as it is ($RETINA_DATASETS, else ../shared/datasets), and the missing folder is refused
// saying how to give one, before anything is read or written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { retinaCli, retinaCliWith } from '../support/retina-cli.js';

test('the help of each command reading the datasets by default says $RETINA_DATASETS sets where', () => {
  for (const command of ['train', 'evaluate', 'card', 'calibrate']) {
    const r = retinaCli(command, '--help');
    assert.equal(r.code, 0, command);
    for (const line of r.stdout.split('\n').filter((l) => l.includes('../shared/datasets')))
      assert.match(line, /\$RETINA_DATASETS/, `${command}: ${line}`);
  }
});

test('without the datasets, train and evaluate say to give the folder or set RETINA_DATASETS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'retina-no-datasets-'));
  try {
    const env = { RETINA_DATASETS: join(dir, 'datasets') };
    for (const args of [
      ['evaluate'],
      ['train', '--out', join(dir, 'm')],
      ['train', '--mix', 'generalist', '--out', join(dir, 'm')],
    ]) {
      const r = retinaCliWith({ env }, ...args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /give --dataset DIR, or set RETINA_DATASETS/, args.join(' '));
      assert.ok(!existsSync(join(dir, 'm')), args.join(' '));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
