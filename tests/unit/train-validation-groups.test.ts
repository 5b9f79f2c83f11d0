// `retina train`'s seeded choice of validation images takes whole groups (one eye's photographs, copies of one
// photograph): a validation image whose other visit or copy is fitted would choose the epoch and threshold on
// what the network learnt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitValidation } from '../../main/ml/train/training-run.js';
import type { SampleRef } from '../../main/ml/types.js';

const ids = ['a1', 'a2', 'a3', 'b1', 'b2', 'c', 'd', 'e', 'f', 'g'];
const refs: SampleRef[] = ids.map((id) => ({ id, imagePath: `${id}.png`, maskPath: `${id}.gif` }));
const groupOf = (id: string): string => (id.length === 2 ? id[0] : id);

test('validation takes whole groups, at most its count or one larger group, the same for the same seed', () => {
  for (let seed = 0; seed < 40; seed++) {
    const { fit, val } = splitValidation(refs, 2, seed, groupOf);
    const fitGroups = new Set(fit.map((r) => groupOf(r.id)));
    for (const r of val)
      assert.ok(!fitGroups.has(groupOf(r.id)), `seed ${seed}: ${r.id}'s group is also fitted`);
    assert.equal(fit.length + val.length, refs.length);
    assert.ok(val.length <= 2 || new Set(val.map((r) => groupOf(r.id))).size === 1, `seed ${seed}`);
    assert.deepEqual(splitValidation(refs, 2, seed, groupOf), { fit, val });
  }
});

test('with every image its own group, the split is the per-image one of the same seed', () => {
  for (let seed = 0; seed < 10; seed++) {
    assert.deepEqual(
      splitValidation(refs, 3, seed, (id) => id),
      splitValidation(refs, 3, seed),
    );
  }
});

test('one group holding every image is refused: nothing could validate apart from what is fitted', () => {
  assert.throws(
    () => splitValidation(refs.slice(0, 3), 1, 7, () => 'one'),
    /all one eye's photographs or copies of one photograph/,
  );
});
