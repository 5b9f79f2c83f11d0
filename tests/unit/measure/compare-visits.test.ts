// Two visits of the same eye: the later one photographed larger and turned, with one venule narrowed. The
// comparison registers them by disc and fovea, finds the same vessels again, and flags the change that exceeds the
// measurements' intervals and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ring } from './phantoms.js';
import { measureImage } from '../../../shared/measure/measures.js';
import { compareVisits } from '../../../shared/measure/compare-visits.js';
import { knudtsonEquivalent } from '../../../shared/measure/knudtson.js';

const arteries = [5, 6, 7, 8, 9, 10];
const veins = [7, 8, 9, 11, 12, 14];

function visit(vs: number[], scale: number, rotation: number) {
  const { ph, av, disc } = ring(arteries, vs, scale, rotation);
  const fovea = {
    x: disc.x + 2.5 * disc.diameter * Math.cos(rotation),
    y: disc.y + 2.5 * disc.diameter * Math.sin(rotation),
  };
  return { measures: measureImage({ ...ph, av, disc, draws: 200 }), fovea };
}

test('the same vessels are matched across a rescaled, rotated visit, and only the narrowed one changes', () => {
  const first = visit(veins, 1, 0);
  const narrowed = [...veins];
  narrowed[5] = 9; // the widest venule, 14 px, now 9 px
  const second = visit(narrowed, 1.5, 0.35);
  const cmp = compareVisits(first, second);
  assert.ok(cmp.registration?.rotationFromFovea);
  assert.ok(Math.abs(cmp.registration!.rotation + 0.35) < 0.05, `rotation ${cmp.registration!.rotation}`);
  // Every vessel of the first visit is found again, at the position the ring puts it.
  for (const m of [...cmp.vessels.arteries, ...cmp.vessels.veins]) assert.ok(m.b, `${m.a.name} not matched`);
  const changed = cmp.vessels.veins.filter((m) => Math.abs(m.change!) * 100 > 2);
  assert.equal(changed.length, 1, 'one venule changed');
  assert.ok(
    Math.abs(changed[0].change! * 100 + 5) <= 1,
    `its width fell by 5 px (${changed[0].change! * 100})`,
  );
  for (const m of cmp.vessels.arteries) assert.ok(Math.abs(m.change!) * 100 <= 1, `${m.a.name} unchanged`);
  const crve = cmp.changes.find((c) => c.key === 'crve')!;
  assert.ok(crve.change! < 0 && crve.exceeds, 'the CRVE drop exceeds its interval');
  const crae = cmp.changes.find((c) => c.key === 'crae')!;
  assert.equal(crae.exceeds, false, 'CRAE did not change beyond its interval');
  // The second visit's CRVE over the same six vessels is Knudtson's over their widths there.
  const same = cmp.vessels.veins.map((m) => m.b!.width);
  assert.ok(Math.abs(cmp.sameVessels.crve! - knudtsonEquivalent(same, 0.95)) < 1e-12);
});

test('without a disc at one visit the vessels are not matched, and says why', () => {
  const first = visit(veins, 1, 0);
  const { ph, av } = ring(arteries, veins);
  const cmp = compareVisits(first, { measures: measureImage({ ...ph, av, disc: null, draws: 20 }) });
  assert.equal(cmp.registration, null);
  // The visit without one named (it read "not found at both visits" when it was found at one).
  assert.equal(cmp.reason, 'no optic disc at the later visit, so the vessels cannot be matched');
  // Said of the visit it is true of.
  assert.equal(cmp.changes.find((c) => c.key === 'crae')!.reason, 'later visit: no optic disc found');
  // Neither visit measured, for different reasons: each visit's own.
  const none = compareVisits(
    { measures: measureImage({ ...ph, av: undefined, disc: first.measures.disc, draws: 20 }) },
    { measures: measureImage({ ...ph, av, disc: null, draws: 20 }) },
  );
  assert.equal(
    none.changes.find((c) => c.key === 'crve')!.reason,
    'earlier visit: no artery/vein labels; later visit: no optic disc found',
  );
});

test('lengths in pixels of photographs of different sizes are not compared; of one size they are', () => {
  const undiscs = (scale: number) => {
    const { ph, av } = ring(arteries, veins, scale);
    const measures = measureImage({ ...ph, av, disc: null, draws: 20 });
    return { measures, size: { width: ph.width, height: ph.height } };
  };
  const small = undiscs(1);
  const large = undiscs(1.5);
  assert.equal(large.measures.calibre.unit, 'px');
  const cmp = compareVisits(small, large);
  for (const key of ['calibre', 'calibreVeins', 'tortuosityDensity'] as const) {
    const c = cmp.changes.find((x) => x.key === key)!;
    // The same vessels photographed larger read 1.5 times as wide: a "change" flagged as beyond the interval.
    assert.equal(c.change, null, `${key}: ${c.change}`);
    assert.equal(c.exceeds, false);
    assert.match(c.reason!, /pixels of photographs of different sizes \(640×640 and 960×960\)/);
  }
  // What a pixel's size does not touch still compares.
  for (const key of ['tortuosity', 'fractalDimension', 'vesselDensity'] as const)
    assert.notEqual(cmp.changes.find((x) => x.key === key)!.change, null, key);
  const again = compareVisits(small, undiscs(1));
  assert.equal(again.changes.find((x) => x.key === 'calibre')!.change, 0, 'one size: compared');
});

test('a change between measurements without an interval is not said to exceed it', () => {
  const { ph, av, disc } = ring(arteries, veins);
  const a = measureImage({ ...ph, av, disc, draws: 20 });
  const d = a.vesselDensity;
  // A mask without a probability map counts as exact: its density's interval is the value itself.
  assert.equal(d.ci95![0], d.ci95![1]);
  const v = d.value! + 0.0004;
  const b = { ...a, vesselDensity: { ...d, value: v, ci95: [v, v] as [number, number] } };
  const c = compareVisits({ measures: a }, { measures: b }).changes.find((x) => x.key === 'vesselDensity')!;
  assert.ok(Math.abs(c.change! - 0.0004) < 1e-12);
  // It was flagged: 0.0004 'exceeds' an interval of zero width.
  assert.equal(c.exceeds, false);
  assert.equal(c.ci95, null);
  assert.match(c.reason!, /neither visit has an interval/);
  const same = compareVisits({ measures: a }, { measures: a }).changes;
  assert.ok(
    same.every((x) => x.change === null || (x.change === 0 && !x.exceeds && !x.reason)),
    'a photograph against itself: no change, nothing flagged',
  );
});

test("each vessel's width change follows the image measures' rule: none across units or photograph sizes", () => {
  const { ph, av, disc } = ring(arteries, veins);
  const dd = measureImage({ ...ph, av, disc, draws: 20 });
  const um = measureImage({ ...ph, av, disc, pixelSizeUm: 6, draws: 20 });
  assert.deepEqual([dd.scale.unit, um.scale.unit], ['DD', 'µm']);
  // A vessel of 0.05 DD "widened" to 60 µm, when the image measures already refused the change.
  const units = compareVisits({ measures: dd }, { measures: um });
  assert.equal(units.changes.find((c) => c.key === 'crae')!.change, null);
  for (const m of [...units.vessels.arteries, ...units.vessels.veins]) {
    assert.ok(m.b, `${m.a.name} found again`);
    assert.equal(m.change, null, `${m.a.name}: ${m.change}`);
    assert.equal(m.reason, 'measured in DD at one visit and µm at the other');
  }
  // Pixels of photographs of different sizes (measures without a length unit, the disc found at both).
  const pixels = (scale: number) => {
    const r = ring(arteries, veins, scale);
    const measures = measureImage({ ...r.ph, av: r.av, disc: r.disc, draws: 20 });
    return {
      measures: { ...measures, scale: { ...measures.scale, unit: 'px' as const } },
      size: { width: r.ph.width, height: r.ph.height },
    };
  };
  const sizes = compareVisits(pixels(1), pixels(1.5));
  for (const m of sizes.vessels.veins) {
    assert.equal(m.change, null);
    assert.match(m.reason!, /pixels of photographs of different sizes \(640×640 and 960×960\)/);
  }
  // One unit, one size: compared, with no reason.
  const same = compareVisits(pixels(1), pixels(1));
  assert.ok(same.vessels.veins.every((m) => m.change === 0 && m.reason === undefined));
});
