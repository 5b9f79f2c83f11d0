// What `retina db import` says of each file, read line by line as a script or a person reads it: through the real
// CLI on real SQLite, with the sample photograph copied under awkward names.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { retinaCli } from '../support/retina-cli.js';
import { SAMPLE_PHOTO } from '../support/sample-photos.js';

describe('db import summary: file names', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'import-summary-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('a name with a newline stays on its one line, escaped; --json keeps the name as it is', () => {
    const file = join(tmp, 'new\nline.jpg');
    copyFileSync(SAMPLE_PHOTO, file);
    const db = join(tmp, 'newline.db');
    assert.equal(retinaCli('db', 'import', '--db', db, file).code, 0);
    const again = retinaCli('db', 'import', '--db', db, file);
    assert.equal(again.code, 0, again.stderr);
    // Before, the name broke the line: "duplicate: …/new" then "line.jpg (already image 1)".
    const lines = again.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2, again.stdout);
    assert.equal(lines[1], `  duplicate: ${JSON.stringify(file)} (already image 1)`);
    const json = retinaCli('db', 'import', '--db', db, '--json', file);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as { duplicates: { source: string }[] };
    assert.deepEqual(
      report.duplicates.map((d) => d.source),
      [file],
    );
  });

  test('two files with the same bytes in one run: the second names the first, imported in this run', () => {
    const [a, b] = ['a.jpg', 'b.jpg'].map((name) => join(tmp, name));
    for (const f of [a, b]) copyFileSync(SAMPLE_PHOTO, f);
    const r = retinaCli('db', 'import', '--db', join(tmp, 'twice.db'), a, b);
    assert.equal(r.code, 0, r.stderr);
    // Before: "already image 1", as if image 1 had been in the store before this run.
    assert.equal(
      r.stdout.trimEnd().split('\n')[1],
      `  duplicate: ${b} (same photograph as ${a}, imported as image 1 in this run)`,
    );
  });
});
