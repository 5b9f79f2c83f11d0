import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, createRng } from '../../main/ml/rng.js';

function draw(r: Rng, n: number): number[] {
  return Array.from({ length: n }, () => r.next());
}

describe('rng', () => {
  test('same seed gives the same sequence, different seeds differ', () => {
    assert.deepEqual(draw(createRng(42), 100), draw(createRng(42), 100));
    const a = draw(createRng(1), 100);
    const b = draw(createRng(2), 100);
    assert.notDeepEqual(a, b);
    // Nearby seeds must not give shifted copies of one stream.
    assert.equal(a.filter((v) => b.includes(v)).length, 0);
    // Fractional and huge seeds are accepted and distinguished.
    assert.notDeepEqual(draw(createRng(0.5), 5), draw(createRng(0), 5));
    assert.notDeepEqual(draw(createRng(2 ** 40), 5), draw(createRng(0), 5));
    assert.throws(() => createRng(NaN), /finite/);
  });

  test('next() is uniform in [0, 1)', () => {
    const r = createRng(7);
    const bins = new Array(10).fill(0);
    const n = 100_000;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = r.next();
      assert.ok(v >= 0 && v < 1);
      bins[Math.floor(v * 10)]++;
      sum += v;
    }
    assert.ok(Math.abs(sum / n - 0.5) < 0.01);
    // Chi-square with 9 degrees of freedom; 27.9 is the 0.1% critical value.
    const chi = bins.reduce((a, c) => a + (c - n / 10) ** 2 / (n / 10), 0);
    assert.ok(chi < 27.9, `chi-square ${chi}`);
  });

  test('uniform, int and bool respect their ranges', () => {
    const r = createRng(3);
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const u = r.uniform(-2, 3);
      assert.ok(u >= -2 && u < 3);
      const k = r.int(6);
      assert.ok(Number.isInteger(k) && k >= 0 && k < 6);
      seen.add(k);
    }
    assert.equal(seen.size, 6);
    let t = 0;
    for (let i = 0; i < 10_000; i++) if (r.bool(0.2)) t++;
    assert.ok(Math.abs(t / 10_000 - 0.2) < 0.02);
    assert.throws(() => r.int(0), /positive integer/);
    assert.throws(() => r.int(2.5), /positive integer/);
  });

  test('normal() has mean 0 and variance 1', () => {
    const r = createRng(11);
    const n = 50_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = r.normal();
      assert.ok(Number.isFinite(v));
      s += v;
      s2 += v * v;
    }
    const mean = s / n;
    assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
    assert.ok(Math.abs(s2 / n - mean * mean - 1) < 0.03);
  });

  test('fork gives named streams independent of draws made so far', () => {
    const r1 = createRng(5);
    const r2 = createRng(5);
    draw(r2, 17);
    assert.deepEqual(draw(r1.fork('augment'), 20), draw(r2.fork('augment'), 20));
    assert.notDeepEqual(draw(r1.fork('augment'), 20), draw(r1.fork('sample'), 20));
    assert.notDeepEqual(draw(r1.fork('augment'), 20), draw(createRng(6).fork('augment'), 20));
    // A child differs from its parent.
    assert.notDeepEqual(draw(createRng(5), 20), draw(createRng(5).fork(''), 20));
  });

  test('shuffle is a reproducible permutation', () => {
    const base = Array.from({ length: 50 }, (_, i) => i);
    const a = createRng(9).shuffle([...base]);
    const b = createRng(9).shuffle([...base]);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, base);
    assert.deepEqual(
      [...a].sort((x, y) => x - y),
      base,
    );
  });
});
