import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agreementByAnnotator, dice, meanPairwiseDice } from '../../shared/agreement.js';

const m = (...bits: number[]) => Uint8Array.from(bits);

test('Dice: overlap over the mean size; empty agrees with empty, not with a vessel', () => {
  assert.equal(dice(m(1, 1, 0, 0), m(1, 1, 0, 0)), 1);
  assert.equal(dice(m(1, 1, 0, 0), m(0, 1, 1, 0)), 0.5);
  assert.equal(dice(m(1, 0, 0, 0), m(0, 0, 0, 1)), 0);
  assert.equal(dice(m(0, 0), m(0, 0)), 1);
  assert.equal(dice(m(0, 0), m(1, 0)), 0);
  assert.throws(() => dice(m(1), m(1, 0)), /masks of 1 and 2 pixels/);
});

test('mean pairwise Dice needs two masks and averages every pair', () => {
  assert.equal(meanPairwiseDice([m(1, 1)]), null);
  const a = m(1, 1, 0, 0);
  const b = m(0, 1, 1, 0);
  const c = m(1, 1, 0, 0);
  assert.equal(meanPairwiseDice([a, b, c]), (0.5 + 1 + 0.5) / 3);
});

test('per annotator: the mean over the scored images they read; unscored images do not count', () => {
  const rows = agreementByAnnotator([
    { imageId: '1', readers: ['otto', 'anna'], dice: 0.8 },
    { imageId: '2', readers: ['anna', 'bea'], dice: 0.6 },
    { imageId: '3', readers: ['bea', 'carl'], dice: null },
  ]);
  assert.deepEqual(rows, [
    { name: 'anna', images: 2, meanDice: 0.7 },
    { name: 'bea', images: 1, meanDice: 0.6 },
    { name: 'carl', images: 0, meanDice: null },
    { name: 'otto', images: 1, meanDice: 0.8 },
  ]);
});
