// The benchmarks on a machine without the public datasets (a fresh checkout: no ../shared/datasets, RETINA_DATASETS
// unset or wrong): each says in one line what it skips and which folders it needs, and exits 0 like bench:retrain
// and bench:active, instead of a stack trace part way (bench:store, bench:anatomy, bench:measure's DRIVE part,
// bench:ui's browser part, bench:team after starting PostgreSQL) or a misleading "job failed" (bench:day).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBench } from '../support/bench-run.js';

const bench = runBench;

test('without datasets each benchmark says in one line what it needs, with no stack trace', async () => {
  const empty = await mkdtemp(path.join(tmpdir(), 'bench-no-datasets-'));
  try {
    // The parts that need no dataset (measuring the enlarged sample, `segment --av` timing, bench:ui's kernels)
    // are left out with --only where a bench has it: they would run, and take minutes.
    const cases: [string, string[], RegExp][] = [
      ['store', [], /^bench:store: skipped: DRIVE, STARE not found under .* \(set RETINA_DATASETS\)$/],
      ['team', [], /^bench:team: skipped: DRIVE\/test\/images, DRIVE\/training\/images not found under /],
      [
        'day',
        [],
        /^bench:day: skipped: DRIVE\/test\/images, DRIVE\/test\/mask, DRIVE\/training\/images not found/,
      ],
      ['anatomy', ['--only', 'av'], /^artery\/vein: skipped: DRIVE, RITE, LES-AV not found under /],
      [
        'anatomy',
        ['--only', 'disc'],
        /^optic disc: skipped: DRIVE, DRIVE-OD, DRIONS-DB, AV-WIDE not found under /,
      ],
      [
        'measure',
        ['--only', 'scale'],
        /^scale invariance on DRIVE test: skipped: DRIVE\/test\/images not found /,
      ],
    ];
    for (const [name, args, said] of cases) {
      const r = bench(name, args, empty);
      const what = `bench:${name} ${args.join(' ')}`;
      assert.equal(r.status, 0, `${what}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, `${what} printed a stack trace`);
      const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
      assert.equal(lines.length, 1, `${what}: ${r.stdout}`);
      assert.match(lines[0], said);
      assert.ok(lines[0].includes(empty), `${what} names the folder it looked in`);
    }
    // bench:ui times its editing kernels (no dataset) first, then skips the browser part.
    const ui = bench('ui', [], empty);
    assert.equal(ui.status, 0, ui.stderr);
    assert.doesNotMatch(ui.stderr, /\n\s+at /, 'bench:ui printed a stack trace');
    assert.match(
      ui.stdout.trimEnd().split('\n').at(-1)!,
      /^bench:ui \(the browser part\): skipped: DRIVE\/test\/images\/01_test\.tif, DRIVE\/test\/mask\/01_test_mask\.gif not found /,
    );
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});
