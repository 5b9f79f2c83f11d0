// The renderer's review logic without a browser: the words for each review state, which image A opens next, which
// actions an approved image refuses, and how a fresh prediction is taken into a working mask.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageStatus, ReviewState } from '../../shared/contract.js';
import { formatWhen, reviewHeadline } from '../../renderer/src/review/reviewLabel.js';
import { candidatesAfter, nextNeedingWork } from '../../renderer/src/review/nextNeedingWork.js';
import { actionRefused, BINDINGS, EDITING_ACTIONS, type Action } from '../../renderer/src/viewer/keymap.js';
import { adoptUnedited } from '../../renderer/src/editing/followPrediction.js';
import { driveManual, prng } from './editing-fixtures.js';

const AT = '2026-12-02T11:58:07.000Z';
const state = (status: ImageStatus, reopened = false, approved = false): ReviewState => ({
  status,
  reopened,
  approval: approved ? { by: 'ann', at: AT, version: 3 } : null,
});

describe('review wording', () => {
  test('each state in plain words; an approval names who, when (local time) and the per-image version', () => {
    const when = formatWhen(AT);
    assert.match(when, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    const d = new Date(AT);
    assert.equal(Number(when.slice(11, 13)), d.getHours());
    assert.equal(Number(when.slice(14, 16)), d.getMinutes());
    assert.deepEqual(
      [state('new'), state('predicted'), state('draft')].map((s) => [
        reviewHeadline(s).tone,
        reviewHeadline(s).text,
      ]),
      [
        ['new', 'New'],
        ['predicted', 'Predicted'],
        ['draft', 'Draft'],
      ],
    );
    const approved = reviewHeadline(state('approved', false, true));
    assert.equal(approved.tone, 'approved');
    assert.equal(approved.text, `Approved by ann, ${when}, version 3`);
    assert.match(approved.hint, /reopen/i);
    const reopened = reviewHeadline(state('draft', true, true));
    assert.equal(reopened.tone, 'reopened');
    assert.equal(reopened.text, 'Approved, then edited: draft until re-approved');
    assert.match(reopened.hint, new RegExp(`Last approved by ann, ${when}, version 3`));
    assert.equal(formatWhen('not a time'), 'not a time');
  });
});

describe('the next image that needs work', () => {
  const ids = ['1', '2', '3', '4', '5'];

  test('candidates: after the current image, then from the top, never the current one', () => {
    assert.deepEqual(candidatesAfter(ids, 2), ['4', '5', '1', '2']);
    assert.deepEqual(candidatesAfter(ids, 4), ['1', '2', '3', '4']);
    assert.deepEqual(candidatesAfter(ids, 0), ['2', '3', '4', '5']);
    assert.deepEqual(candidatesAfter(ids, -1), ids, 'an image not in the list: every one');
    assert.deepEqual(candidatesAfter(['7'], 0), []);
  });

  test('the first candidate in list order that is not approved, even when a later one answers first', async () => {
    const status: Record<string, ImageStatus> = {
      1: 'draft',
      2: 'approved',
      3: 'approved',
      4: 'predicted',
      5: 'new',
    };
    const asked: string[] = [];
    const statusOf = async (id: string): Promise<ImageStatus> => {
      asked.push(id);
      // Earlier ids answer later: the order of replies must not decide.
      await new Promise((r) => setTimeout(r, 10 - Number(id)));
      return status[id];
    };
    assert.equal(await nextNeedingWork(candidatesAfter(ids, 1), statusOf, 2), '4');
    // Asked in batches of two, stopping at the batch that holds the answer: 3,4 — never 5, 1.
    assert.deepEqual(asked, ['3', '4']);
    asked.length = 0;
    assert.equal(await nextNeedingWork(candidatesAfter(ids, 4), statusOf, 2), '1');
    assert.deepEqual(asked, ['1', '2']);
  });

  test('every other image approved: null, after asking each once', async () => {
    const asked: string[] = [];
    const r = await nextNeedingWork(candidatesAfter(ids, 0), async (id) => {
      asked.push(id);
      return 'approved';
    });
    assert.equal(r, null);
    assert.deepEqual(asked.sort(), ['2', '3', '4', '5']);
  });
});

describe('an approved image is read-only', () => {
  test('every action that draws, erases, cleans up, undoes or picks an editing tool is an editing action', () => {
    const editing: Action[] = ['brush', 'eraser', 'fill', 'lasso', 'smaller', 'bigger', 'undo', 'redo'];
    for (const a of [...editing, 'islands', 'holes'] as Action[]) assert.ok(EDITING_ACTIONS.has(a), a);
    // Looking (the uncertainty map and its regions, the artery/vein layer, the measurements too), moving around, approving, predicting and help still work.
    const free = BINDINGS.map((b) => b.action).filter((a) => !EDITING_ACTIONS.has(a));
    assert.deepEqual(free.sort(), [
      'actual',
      'approve',
      'clahe',
      'close',
      'fit',
      'green',
      'help',
      'measurements',
      'next',
      'nextUncertain',
      'pan',
      'predict',
      'previous',
      'toggleAv',
      'toggleDiff',
      'toggleMask',
      'toggleUncertainty',
    ]);
  });
});

describe('a fresh prediction into a working mask', () => {
  test('pixels edited by hand keep their value; every other pixel takes the new prediction', async () => {
    const { width, height, data } = await driveManual(21);
    const rand = prng(4);
    const mask = data.slice();
    const fresh = Uint8Array.from(data, (v) => (rand() < 0.1 ? 1 - v : v));
    const edited = new Uint8Array(mask.length);
    for (let y = 100; y < 140; y++) edited.fill(1, y * width + 50, y * width + 300);
    for (let y = 100; y < 140; y++) mask.fill(1, y * width + 50, y * width + 300);
    const before = mask.slice();
    const changed = adoptUnedited(mask, fresh, edited);
    const expected = Uint8Array.from(before, (v, p) => (edited[p] ? v : fresh[p]));
    assert.ok(Buffer.from(mask).equals(Buffer.from(expected)), 'the mask is not edits + fresh prediction');
    assert.equal(
      changed,
      expected.reduce((n, v, p) => n + (v !== before[p] ? 1 : 0), 0),
    );
    assert.ok(changed > 1000, 'the test changed too few pixels');
    assert.equal(height * width, mask.length);
    assert.throws(() => adoptUnedited(mask, fresh.subarray(1), edited), /differ in size/);
  });
});

test('under the Help overlay only closing it works; on an approved image editing is refused', () => {
  const help = { locked: false, help: true };
  for (const a of ['approve', 'next', 'brush', 'undo', 'predict'] as Action[])
    assert.ok(actionRefused(a, help), a);
  assert.equal(actionRefused('help', help), false);
  assert.equal(actionRefused('close', help), false);
  const approved = { locked: true, help: false };
  assert.ok(actionRefused('brush', approved));
  assert.equal(actionRefused('approve', approved), false);
  assert.equal(actionRefused('next', approved), false);
});
