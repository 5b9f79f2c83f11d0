import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  choiceKey,
  maskF1,
  randomOrder,
  reachesRandom,
  reviewNextOrder,
  splitPoolTest,
} from '../../bench/active/design.js';

const LESAV_TEST = ['224', '240', '275', '279', '304', '318', '367', '370', '486', '529', '586'];

describe('bench:active study design', () => {
  test('the pool/test split is deterministic, disjoint, complete and independent of listing order', () => {
    const a = splitPoolTest(LESAV_TEST, 6);
    assert.equal(a.pool.length, 6);
    assert.equal(a.test.length, 5);
    assert.deepEqual([...a.pool, ...a.test].sort(), [...LESAV_TEST].sort());
    assert.deepEqual(splitPoolTest([...LESAV_TEST].reverse(), 6), a);
    // Not simply the first six ids, and a different salt gives a different split.
    assert.notDeepEqual(a.pool, LESAV_TEST.slice(0, 6));
    assert.notDeepEqual(splitPoolTest(LESAV_TEST, 6, 'another salt').pool, a.pool);
    assert.throws(() => splitPoolTest(LESAV_TEST, 11), /test part/);
    assert.throws(() => splitPoolTest(['1', '1', '2'], 1), /duplicate/);
  });

  test('"Review next" takes the lowest expected F1 first, ties by id', () => {
    const order = reviewNextOrder(
      new Map([
        ['529', 0.8],
        ['224', 0.7],
        ['304', 0.75],
        ['275', 0.7],
      ]),
    );
    assert.deepEqual(order, ['224', '275', '304', '529']);
    assert.throws(() => reviewNextOrder(new Map([['1', NaN]])), /expected F1/);
  });

  test('random orders are seeded permutations of the pool, different per seed', () => {
    const pool = ['224', '275', '304', '367', '529', '586'];
    assert.deepEqual(randomOrder(pool, 1), randomOrder(pool, 1));
    assert.deepEqual([...randomOrder(pool, 2)].sort(), pool);
    assert.notDeepEqual(randomOrder(pool, 1), randomOrder(pool, 2));
    assert.equal(choiceKey(['529', '224']), choiceKey(['224', '529']));
  });

  test('mask F1 counts inside the FOV only', () => {
    const mask = Uint8Array.from([1, 1, 0, 0, 1]);
    const truth = Uint8Array.from([1, 0, 1, 0, 0]);
    const fov = Uint8Array.from([1, 1, 1, 1, 0]);
    // tp 1, fp 1, fn 1 inside; the last pixel (a false positive) is outside the FOV.
    assert.equal(maskF1(mask, truth, fov), 0.5);
    assert.equal(maskF1(new Uint8Array(5), truth, fov), 0);
  });

  test('the closing comparison uses only k <= 2 and needs both figures', () => {
    const rn = new Map<number, number | null>([
      [1, 0.78],
      [2, 0.8],
      [4, 0.9],
    ]);
    assert.deepEqual(reachesRandom(rn, 0.79, 2), { answered: true, reached: true, best: 0.8, bestK: 2 });
    assert.deepEqual(reachesRandom(rn, 0.85, 2), { answered: true, reached: false, best: 0.8, bestK: 2 });
    assert.deepEqual(reachesRandom(rn, null, 2), { answered: false });
    assert.deepEqual(
      reachesRandom(
        new Map([
          [1, null],
          [2, null],
        ]),
        0.8,
        2,
      ),
      { answered: false },
    );
  });
});
