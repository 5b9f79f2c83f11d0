// The viewer's ids for saves whose answer was lost (renderer/src/viewer/unansweredSaves.ts): the same save sent
// again keeps its id, so main answers with the version it made; the unanswered ones go with the next save until one
// is answered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActIds, UnansweredSaves, type Sent } from '../../renderer/src/viewer/unansweredSaves.js';

const draft = (pixels: number[], extra: Partial<Sent> = {}): Sent => ({
  kind: 'draft',
  imageId: '7',
  mask: Uint8Array.from(pixels),
  ...extra,
});

test('a save sent again after no answer keeps its id; another save names it as unanswered', () => {
  const saves = new UnansweredSaves();
  const first = saves.idsFor(draft([0, 1, 1]));
  assert.equal(first.unansweredSaveIds, undefined);
  saves.unanswered(first.saveId, draft([0, 1, 1]));

  const again = saves.idsFor(draft([0, 1, 1]));
  assert.equal(again.saveId, first.saveId, 'the same pixels again are the same save');
  assert.deepEqual(again.unansweredSaveIds, [first.saveId]);

  // Other pixels, another disc, labels, kind or image: a new save, still naming the unanswered one.
  for (const other of [
    draft([1, 1, 1]),
    draft([0, 1, 1], { anatomy: { disc: { x: 1, y: 1, diameter: 2 }, fovea: null, laterality: null } }),
    draft([0, 1, 1], { av: Uint8Array.from([0, 1, 2]) }),
    draft([0, 1, 1], { kind: 'approved' }),
    draft([0, 1, 1], { imageId: '8' }),
  ]) {
    const ids = saves.idsFor(other);
    assert.notEqual(ids.saveId, first.saveId);
    assert.deepEqual(ids.unansweredSaveIds, [first.saveId]);
  }

  const second = saves.idsFor(draft([1, 1, 1]));
  saves.unanswered(second.saveId, draft([1, 1, 1]));
  assert.deepEqual(saves.idsFor(draft([1, 1, 0])).unansweredSaveIds, [first.saveId, second.saveId]);

  // Answered: nothing unanswered is named, and the same pixels are a new save.
  saves.answered();
  const after = saves.idsFor(draft([1, 1, 1]));
  assert.equal(after.unansweredSaveIds, undefined);
  assert.notEqual(after.saveId, second.saveId);
});

test('a restore or an adoption sent again before an answer keeps its id; another act or an answered one does not', () => {
  const acts = new ActIds();
  const first = acts.idFor('restore 3 on 9');
  assert.equal(acts.idFor('restore 3 on 9'), first, 'sent again: the same act');
  const other = acts.idFor('adopt 2 on 9');
  assert.notEqual(other, first);
  assert.notEqual(acts.idFor('restore 3 on 9'), other);
  acts.answered();
  assert.notEqual(acts.idFor('restore 3 on 9'), first, 'answered: a new act');
});

test('an act resumed after the page was loaded again keeps its id for the same act only, until answered', () => {
  const acts = new ActIds();
  acts.resume('restore 3 on 9', 's-kept-before-reload');
  assert.equal(acts.idFor('restore 3 on 9'), 's-kept-before-reload');
  acts.answered();
  acts.resume('restore 3 on 9', 's-kept-before-reload');
  assert.notEqual(acts.idFor('adopt 2 on 9'), 's-kept-before-reload', 'another act: a new id');
  const sent = acts.idFor('adopt 2 on 9');
  acts.resume('restore 3 on 9', 's-kept-before-reload');
  assert.equal(acts.idFor('adopt 2 on 9'), sent, 'one sent since: the resumed one does not replace it');
});
