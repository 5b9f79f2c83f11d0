import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readerApproveQuestion } from '../../renderer/src/editing/approveGuard.js';

const anna = { name: 'anna', draft: { versionId: '11', version: 2 } };
const otto = { name: 'otto', draft: { versionId: '12', version: 3 } };

test("a plain Approve of one reader's unedited draft names that reader, the other's agreement, and the Readers panel", () => {
  const q = readerApproveQuestion([anna, otto], 0.8123, '12');
  assert.equal(q?.reader, 'otto');
  assert.match(
    q?.question ?? '',
    /^This image has 2 readers, and the mask shown is otto's draft \(version 3\)/,
  );
  assert.match(q?.question ?? '', /anna drew it too \(agreement, Dice 0\.812\)\./);
  assert.match(q?.question ?? '', /Approve otto's reading\? The Readers panel/);
});

test('a reader who has not drawn yet is named as such', () => {
  const q = readerApproveQuestion([anna, { name: 'otto', draft: null }], null, '11');
  assert.equal(q?.reader, 'anna');
  assert.match(q?.question ?? '', /otto has no draft yet\./);
  assert.doesNotMatch(q?.question ?? '', /Dice/);
});

test("no question for the reviewer's own merge, a single reader, or a mask with no saved version", () => {
  assert.equal(
    readerApproveQuestion([anna, otto], 0.8, '99'),
    null,
    "a version that is no reader's latest draft",
  );
  assert.equal(readerApproveQuestion([anna], null, '11'), null);
  assert.equal(readerApproveQuestion([anna, otto], 0.8, null), null);
});

test('a reader taken off the image is said to be so, before the question', () => {
  const q = readerApproveQuestion([{ ...anna, removed: true }, otto], 0.8, '11');
  assert.equal(q?.reader, 'anna');
  assert.match(
    q?.question ?? '',
    /as they left it\. anna is no longer assigned to this image\. otto drew it too .* Approve anna's reading\?/,
  );
  assert.doesNotMatch(readerApproveQuestion([anna, otto], 0.8, '11')?.question ?? '', /no longer assigned/);
});
