// `retina measure --report --json`: the summary names each image's report beside its measures, as segment's names
// every map it writes, so a pipeline reading --json finds the files without guessing their names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../e2e/model-fixture.js';
import { driveTestImagePath } from './measure-fixture.js';

test(
  'measure --report --json names the report it wrote for each image',
  { skip: !existsSync(driveTestImagePath('05')) && 'DRIVE not available' },
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'retina-report-json-'));
    try {
      const args = ['measure', driveTestImagePath('05'), '--out', dir, '--report', '--draws', '20', '--json'];
      const r = spawnSync(
        process.execPath,
        [path.join(repoRoot, 'bin', 'retina.mjs'), ...args, '--threads', '1'],
        {
          cwd: repoRoot,
          encoding: 'utf8',
          env: { ...process.env, RETINA_FROM_SOURCE: '1' },
        },
      );
      assert.equal(r.status, 0, r.stderr);
      const [result] = (JSON.parse(r.stdout) as { results: { output: string; report?: string }[] }).results;
      assert.equal(result.output, path.join(dir, '05_test_measures.json'));
      assert.equal(result.report, path.join(dir, '05_test_report.html'));
      assert.ok(existsSync(result.report));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
