// CRAE and CRVE over the classifier's artery/vein uncertainty are the exact conditional means over the labellings
// that leave six of a class: by hand on two uncertain vessels, against all 2^n labellings, unmoved by a vessel that
// cannot be of the class, and the same for any number of draws; the Monte Carlo fallback (past the exact limit)
// close to them and, by common random numbers, unmoved too.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { expectedEquivalent, type LabelledWidth } from '../../../shared/measure/expected-equivalents.js';
import { centralEquivalent, knudtsonEquivalent } from '../../../shared/measure/knudtson.js';
import { measureImage } from '../../../shared/measure/measures.js';
import { AV_CLASS } from '../../../shared/vessel-segments.js';
import { ring } from './phantoms.js';

const artery = (width: number, p: number | null = null): LabelledWidth => ({
  width,
  av: 'artery',
  arteryProbability: p,
});
const vein = (width: number, p: number | null = null): LabelledWidth => ({
  width,
  av: 'vein',
  arteryProbability: p,
});
const close = (a: number | null, b: number, tol = 1e-12) =>
  assert.ok(a !== null && Math.abs(a - b) <= tol * b, `${a} vs ${b}`);

// Five certain arterioles and six certain venules; an 11 px vessel artery with probability 1/2, a 5 px one with 1/4.
const certain = [...[10, 9, 8, 7, 6].map((w) => artery(w)), ...[14, 13, 12, 11, 9, 8].map((w) => vein(w))];
const two = [...certain, vein(11, 0.5), vein(5, 0.25)];

describe('the expected CRAE and CRVE, exactly', () => {
  test('two uncertain vessels, by hand', () => {
    // Arterioles: both arteries (1/8) or the 11 alone (3/8) give 11,10,9,8,7,6; the 5 alone (1/8) gives 10..5;
    // neither (3/8) leaves five, where CRAE is not defined: the mean is over the other 5/8.
    const k1 = knudtsonEquivalent([11, 10, 9, 8, 7, 6], 0.88);
    const k2 = knudtsonEquivalent([10, 9, 8, 7, 6, 5], 0.88);
    close(expectedEquivalent(two, 'arteriole'), (0.5 * k1 + 0.125 * k2) / 0.625);
    // Venules: always six; the 11 is among the six widest when a venule (1/2), the 5 never is.
    const withIt = knudtsonEquivalent([14, 13, 12, 11, 11, 9], 0.95);
    const without = knudtsonEquivalent([14, 13, 12, 11, 9, 8], 0.95);
    close(expectedEquivalent(two, 'venule'), 0.5 * withIt + 0.5 * without);
  });

  test('certain labels give the formula; too few of a class give null', () => {
    close(expectedEquivalent(certain, 'venule'), centralEquivalent([14, 13, 12, 11, 9, 8], 'venule')!);
    assert.equal(expectedEquivalent(certain, 'arteriole'), null);
    assert.equal(expectedEquivalent([...certain, vein(3, 0)], 'arteriole'), null);
  });

  test('equals the mean over all 2^n labellings', () => {
    const vessels = [
      ...[10, 9.5, 8, 7.2, 6, 5.5, 4].map((w, i) => artery(w, [0.9, 0.97, 0.6, 0.99, 0.8, 1, 0.7][i])),
      ...[13, 12, 11, 9.7, 8.5, 7.9].map((w, i) => vein(w, [0.02, 0.3, 0, 0.1, 0.45, 0.05][i])),
    ];
    for (const kind of ['arteriole', 'venule'] as const) {
      let [sum, total] = [0, 0];
      for (let m = 0; m < 1 << vessels.length; m++) {
        let weight = 1;
        const picked: number[] = [];
        vessels.forEach((v, i) => {
          const isArtery = ((m >> i) & 1) === 1;
          weight *= isArtery ? v.arteryProbability! : 1 - v.arteryProbability!;
          if (isArtery === (kind === 'arteriole')) picked.push(v.width);
        });
        const value = centralEquivalent(picked, kind);
        if (value !== null && weight > 0) [sum, total] = [sum + weight * value, total + weight];
      }
      close(expectedEquivalent(vessels, kind), sum / total, 1e-12);
    }
  });

  test('a vessel that cannot be of a class leaves that class unmoved; one that may moves it by its own share', () => {
    const arteries = [10, 9.5, 8, 7.2, 6, 5.5].map((w, i) => artery(w, [0.9, 0.97, 0.6, 0.99, 0.8, 0.95][i]));
    const veins = [13, 12, 11, 9.7, 8.5, 7.9].map((w, i) => vein(w, [0.02, 0.3, 0.01, 0.1, 0.45, 0.05][i]));
    const before = expectedEquivalent([...arteries, ...veins], 'arteriole');
    // A venule gained (at another size, say) that the classifier calls certain: CRAE is bit for bit the same.
    assert.equal(expectedEquivalent([...arteries, vein(9, 0), ...veins], 'arteriole'), before);
    // One with probability 0.01 of artery: CRAE moves, and by no more than 0.01 of the most it could.
    const gained = expectedEquivalent([...arteries, vein(9, 0.01), ...veins], 'arteriole')!;
    assert.ok(gained !== before && Math.abs(gained - before!) < 0.01 * before!, `${gained} vs ${before}`);
  });

  test('through measureImage: the same value for any number of draws and any seed', () => {
    const { ph, av, disc } = ring([5, 6, 7, 8, 9, 10], [7, 8, 9, 11, 12, 14]);
    const p = new Float32Array(av.length).map((_, i) => (av[i] === AV_CLASS.artery ? 0.7 : 0.2));
    const at = (draws: number, seed: number) =>
      measureImage({ ...ph, av, disc, arteryProbability: p, draws, seed });
    const [a, b] = [at(20, 1), at(60, 7)];
    assert.equal(a.crae.value, b.crae.value);
    assert.equal(a.crve.value, b.crve.value);
    assert.equal(a.avr.value, b.avr.value);
  });
});

describe('past the exact limit: Monte Carlo with common random numbers', () => {
  const vessels = [
    ...[10, 9.5, 8, 7.2, 6, 5.5, 4].map((w, i) => artery(w, [0.9, 0.97, 0.6, 0.99, 0.8, 0.95, 0.7][i])),
    ...[13, 12, 11, 9.7, 8.5, 7.9].map((w, i) => vein(w, [0.02, 0.3, 0.01, 0.1, 0.45, 0.05][i])),
  ];
  const sampled = (v: LabelledWidth[], kind: 'arteriole' | 'venule') =>
    expectedEquivalent(v, kind, { exactSets: 0 });

  test('within 0.5% of the exact value', () => {
    for (const kind of ['arteriole', 'venule'] as const)
      close(sampled(vessels, kind), expectedEquivalent(vessels, kind)!, 0.005);
  });

  test('a certain venule gained, narrower than the others, leaves CRAE bit for bit the same', () => {
    assert.equal(sampled([vein(3, 0), ...vessels], 'arteriole'), sampled(vessels, 'arteriole'));
  });
});
