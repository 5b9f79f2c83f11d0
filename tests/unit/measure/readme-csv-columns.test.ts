// The README names measures.csv's columns as a reader finds them: each list it gives is there, in that order, and a
// list it calls the last columns ends the header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { measuresCsv } from '../../../shared/measure/measure-table.js';
import { repoRoot } from '../../e2e/model-fixture.js';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8').replace(/\s+/g, ' ');
const header = measuresCsv([]).trim().split(',');

/** The column lists the README gives for the CSV, with what it says of their place. */
const lists = [
  ...readme.matchAll(/CSV(?:'s)? ((?:two )?last )?columns (?:are )?`([a-z_]+(?:,[a-z_]+)+)`/g),
].map((m) => ({ last: m[1] !== undefined, cols: m[2].split(','), said: m[0] }));

test('the README gives measures.csv column lists (a check of the parsing below)', () => {
  assert.ok(lists.length >= 3, `${lists.length} lists`);
});

test('each column list the README gives is in the header, in order, and "last" ones end it', () => {
  for (const { last, cols, said } of lists) {
    const at = header.indexOf(cols[0]);
    assert.deepEqual(header.slice(at, at + cols.length), cols, said);
    if (last)
      assert.deepEqual(header.slice(-cols.length), cols, `${said}: the header ends ${header.slice(-4)}`);
  }
});
