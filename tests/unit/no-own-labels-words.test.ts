// An earlier version's preview says what it has no labels or disc of its own, unless the words on what else differs
// already said it: its A/V layer is then empty, which would otherwise read as nothing labelled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noOwnLabelsWords } from '../../renderer/src/viewer/alsoDiffersWords.js';

const disc = { x: 100, y: 120, diameter: 80 };

test('a version with neither, beside a current mask with neither: both said', () => {
  assert.equal(
    noOwnLabelsWords({ av: false, disc: false }, { av: 0, disc: null }),
    'This version has no artery/vein labels and no optic disc of its own: the A/V layer shows none for it.',
  );
});

test('what the words on differences already said is not said twice; a version with both says nothing', () => {
  assert.equal(
    noOwnLabelsWords({ av: false, disc: false }, { av: 'none', disc: { version: null, current: disc } }),
    null,
  );
  assert.match(
    noOwnLabelsWords({ av: false, disc: true }, { av: 0, disc: null }) ?? '',
    /no artery\/vein labels of/,
  );
  assert.equal(noOwnLabelsWords({ av: true, disc: true }, { av: 12, disc: null }), null);
});
