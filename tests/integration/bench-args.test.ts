// The benchmarks' command lines: --help prints the usage and runs nothing (bench:train used to start training, the
// others died with a stack trace on an unknown option), and a wrong option or value is refused in one line with the
// usage, exit 2 (bench:measure and bench:anatomy used to measure nothing, silently, for a mistyped --only part).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBench } from '../support/bench-run.js';

const bench = runBench;

const BENCHES = ['active', 'anatomy', 'day', 'infer', 'measure', 'retrain', 'store', 'team', 'train', 'ui'];

test('--help prints the usage of each benchmark and runs nothing', async () => {
  const empty = await mkdtemp(path.join(tmpdir(), 'bench-args-'));
  try {
    for (const name of BENCHES) {
      const r = bench(name, ['--help'], empty);
      assert.equal(r.status, 0, `bench:${name} --help: ${r.stderr}`);
      assert.equal(r.stderr, '', `bench:${name} --help`);
      assert.match(
        r.stdout,
        new RegExp(`^Usage: npm run bench:${name}\\b[^\\n]*\\n$`),
        `bench:${name} --help`,
      );
    }
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});

test('a wrong option or value is refused in one line with the usage, exit 2', async () => {
  const empty = await mkdtemp(path.join(tmpdir(), 'bench-args-'));
  try {
    const cases: [string, string[], RegExp][] = [
      ['measure', ['--only', 'times'], /^bench:measure: --only takes time, scale; got 'times'$/],
      ['measure', ['--images', '0'], /^bench:measure: --images must be a positive integer; got '0'$/],
      ['measure', ['--enlarge', 'lanczos'], /^bench:measure: --enlarge takes sharp, keys; got 'lanczos'$/],
      ['measure', ['--field-angle', '45deg'], /^bench:measure: --field-angle takes degrees/],
      ['anatomy', ['--only', 'avv'], /^bench:anatomy: --only takes av, disc, time; got 'avv'$/],
      ['infer', ['--only', 'foo'], /^bench:infer: --only takes reference, default, e2e; got 'foo'$/],
      ['infer', ['--runs', 'x'], /^bench:infer: --runs must be a positive integer; got 'x'$/],
      ['train', ['--step', '3'], /^bench:train: Unknown option '--step'/],
      ['team', ['--clients', 'many'], /^bench:team: --clients must be a positive integer; got 'many'$/],
      ['day', ['many'], /^bench:day: opens must be a positive integer; got 'many'$/],
      ['store', ['--quick'], /^bench:store: Unknown option '--quick'/],
      ['retrain', ['--threads', '0'], /^bench:retrain: --threads must be a positive integer; got '0'$/],
    ];
    for (const [name, args, said] of cases) {
      const r = bench(name, args, empty);
      const what = `bench:${name} ${args.join(' ')}`;
      assert.equal(r.status, 2, `${what}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '', what);
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 2, `${what}: ${r.stderr}`);
      assert.match(lines[0], said);
      assert.match(lines[1], new RegExp(`^Usage: npm run bench:${name}\\b`));
    }
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});
