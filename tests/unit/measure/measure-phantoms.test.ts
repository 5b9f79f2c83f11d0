// The vessel measures recover known geometry from synthetic phantoms: widths of straight and curved tubes,
// tortuosity of sine-shaped vessels, the fractal dimension of a branching tree, CRAE/CRVE of a ring of radial
// vessels around a disc exactly as Knudtson's formula gives, and zone B's vessels through a crossing and a branching
// as the protocol takes them; plus units, absences and intervals.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { blank, curveDistanceFactor, paintTube, ring, type Phantom } from './phantoms.js';
import { buildVesselGraph } from '../../../shared/measure/vessel-graph.js';
import { fractalDimension } from '../../../shared/measure/fractal.js';
import { knudtsonEquivalent, centralEquivalent } from '../../../shared/measure/knudtson.js';
import { effectiveThreshold, measureImage } from '../../../shared/measure/measures.js';
import { AV_CLASS } from '../../../shared/vessel-segments.js';

function longest(ph: Phantom) {
  const g = buildVesselGraph(ph);
  return g.segments.reduce((a, b) => (b.length > a.length ? b : a));
}

describe('calibre', () => {
  for (const width of [4, 5, 6, 8, 11, 16]) {
    test(`a straight vessel ${width} px wide measures within 0.5 px at every angle`, () => {
      // Not exactly 45 degrees: there a binary tube is whole pixel diagonals, 0.707 px apart across the vessel,
      // so the drawn width itself is off its nominal value by up to 0.35 px.
      for (const angle of [0, 0.3, 0.7, 1.1, Math.PI / 2]) {
        const ph = blank(420, 420);
        // Off the pixel grid by a quarter pixel, so an axis-aligned tube covers exactly `width` rows.
        const c = (t: number) => ({
          x: 210.25 + Math.cos(angle) * (t - 0.5) * 320,
          y: 210.25 + Math.sin(angle) * (t - 0.5) * 320,
        });
        paintTube(ph, c, width);
        const s = longest(ph);
        assert.ok(Math.abs(s.width[0] - width) <= 0.5, `angle ${angle.toFixed(2)}: measured ${s.width[0]}`);
      }
    });
  }

  test('a curved vessel measures its width too', () => {
    const ph = blank(500, 300);
    paintTube(ph, (t) => ({ x: 50 + t * 400, y: 150 + 30 * Math.sin(t * 2 * Math.PI * 2) }), 7);
    assert.ok(Math.abs(longest(ph).width[0] - 7) <= 0.5);
  });
});

describe('tortuosity', () => {
  test('a straight vessel has a distance factor of 1 and no tortuosity density', () => {
    const ph = blank(400, 200);
    paintTube(ph, (t) => ({ x: 40 + t * 320, y: 80.25 + t * 40 }), 5);
    const s = longest(ph);
    assert.ok(Math.abs(s.distanceFactor - 1) < 0.005, `${s.distanceFactor}`);
    assert.equal(s.tortuosityDensity, 0);
  });

  for (const [amplitude, width] of [
    [10, 4],
    [20, 6],
    [40, 8],
  ]) {
    test(`a sine vessel (amplitude ${amplitude}, width ${width}) gives its distance factor within 2%`, () => {
      const ph = blank(500, 300);
      const c = (t: number) => ({ x: 50 + t * 400, y: 150 + amplitude * Math.sin(t * 2 * Math.PI * 3) });
      paintTube(ph, c, width);
      const s = longest(ph);
      const truth = curveDistanceFactor(c);
      assert.ok(
        Math.abs(s.distanceFactor / truth - 1) <= 0.02,
        `measured ${s.distanceFactor}, true ${truth}`,
      );
      assert.ok(s.tortuosityDensity > 0, 'several bends give a positive tortuosity density');
    });
  }

  test('more bends of the same amplitude give a higher tortuosity density', () => {
    const td = (bends: number) => {
      const ph = blank(500, 300);
      paintTube(ph, (t) => ({ x: 50 + t * 400, y: 150 + 15 * Math.sin(t * Math.PI * bends) }), 5);
      return longest(ph).tortuosityDensity;
    };
    assert.ok(td(8) > td(4));
  });
});

describe('fractal dimension', () => {
  /** The dyadic Sierpinski tree {(x, y): x AND y = 0}: a tree of three half-size copies, dimension log 3 / log 2. */
  function sierpinski(n: number, pad: number): Phantom {
    const ph = blank(n + 2 * pad, n + 2 * pad);
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++) if ((x & y) === 0) ph.mask[(y + pad) * ph.width + x + pad] = 1;
    return ph;
  }
  const truth = Math.log(3) / Math.log(2);

  for (const [n, pad] of [
    [1024, 0],
    [1024, 37],
    [512, 20],
    [2048, 50],
  ]) {
    test(`a branching tree of known dimension (${n} px, offset ${pad}) is recovered within 0.02`, () => {
      const ph = sierpinski(n, pad);
      const d = fractalDimension(ph.mask, ph.width, ph.height, n).dimension;
      assert.ok(Math.abs(d - truth) <= 0.02, `measured ${d}, true ${truth}`);
    });
  }

  test('through measureImage too (the field is the whole image when no FOV is given)', () => {
    const ph = sierpinski(1024, 0);
    const m = measureImage({ ...ph, draws: 50 });
    assert.ok(Math.abs(m.fractalDimension.value! - truth) <= 0.02);
    assert.equal(m.fractalDimension.unit, 'dimensionless');
  });

  test('every dimension and its interval lie within [1, 2]: an all-vessel mask is 2, a dot has none', () => {
    // An all-vessel mask fitted 2.0000000000000004; one dot 0.29, its interval reaching below 0.
    const full = blank(64, 64);
    full.mask.fill(1);
    const dot = blank(600, 600);
    dot.mask[300 * 600 + 300] = 1;
    const av = new Uint8Array(64 * 64).fill(AV_CLASS.artery);
    const whole = measureImage({ ...full, av, draws: 50 });
    for (const m of [whole.fractalDimension, whole.fractalDimensionArteries]) {
      assert.equal(m.value, 2);
      assert.ok(m.ci95![0] >= 1 && m.ci95![1] <= 2, `${m.ci95}`);
    }
    const specks = measureImage({ ...dot, draws: 50 }).fractalDimension;
    assert.equal(specks.value, null);
    assert.equal(specks.ci95, null);
    assert.match(specks.reason!, /scattered specks/);
  });

  test('a straight line has dimension 1', () => {
    const ph = blank(1024, 1024);
    for (let x = 12; x < 1012; x++) ph.mask[500 * 1024 + x] = 1;
    const d = fractalDimension(ph.mask, 1024, 1024, 1024).dimension;
    assert.ok(Math.abs(d - 1) <= 0.02, `${d}`);
  });
});

describe("Knudtson's revised formulas", () => {
  test('pairs the widest with the narrowest, carrying the middle one of an odd round', () => {
    const w = [10, 9, 8, 7, 6, 5];
    // Round 1: (10,5) (9,6) (8,7); round 2 on three values: (w1, w3) and w2 carried; round 3: the last pair.
    const k = 0.88;
    const r1 = [k * Math.hypot(10, 5), k * Math.hypot(9, 6), k * Math.hypot(8, 7)].sort((a, b) => b - a);
    const r2 = [k * Math.hypot(r1[0], r1[2]), r1[1]].sort((a, b) => b - a);
    const expected = k * Math.hypot(r2[0], r2[1]);
    assert.ok(Math.abs(knudtsonEquivalent(w, k) - expected) < 1e-12);
  });

  test('needs six vessels', () => {
    assert.equal(centralEquivalent([5, 6, 7, 8, 9], 'arteriole'), null);
    assert.ok(centralEquivalent([5, 6, 7, 8, 9, 10, 3], 'venule')! > 0);
  });
});

describe('CRAE, CRVE and AVR on a ring of six arteries and six veins', () => {
  const arteries = [5, 6, 7, 8, 9, 10];
  const veins = [7, 8, 9, 11, 12, 14];
  const { ph, av, disc } = ring(arteries, veins);
  const m = measureImage({ ...ph, av, disc, draws: 100 });

  test('the six vessels of each class are found and named, widest first', () => {
    assert.deepEqual(
      m.zoneVessels.B.arteries.map((v) => v.name),
      ['A1', 'A2', 'A3', 'A4', 'A5', 'A6'],
    );
    assert.equal(m.zoneVessels.B.veins.length, 6);
    const widths = m.zoneVessels.B.arteries.map((v) => v.width * disc.diameter);
    [...arteries]
      .reverse()
      .forEach((w, k) => assert.ok(Math.abs(widths[k] - w) <= 0.5, `A${k + 1}: ${widths[k]}`));
  });

  test('CRAE and CRVE are exactly the formula over the measured widths, and within half a pixel of the known widths', () => {
    const measuredA = m.zoneVessels.B.arteries.map((v) => v.width);
    const measuredV = m.zoneVessels.B.veins.map((v) => v.width);
    assert.ok(Math.abs(m.crae.value! - knudtsonEquivalent(measuredA, 0.88)) < 1e-9);
    assert.ok(Math.abs(m.crve.value! - knudtsonEquivalent(measuredV, 0.95)) < 1e-9);
    const craeKnown = knudtsonEquivalent(arteries, 0.88) / disc.diameter;
    const crveKnown = knudtsonEquivalent(veins, 0.95) / disc.diameter;
    assert.ok(
      Math.abs(m.crae.value! - craeKnown) * disc.diameter <= 0.5,
      `${m.crae.value! * 100} vs ${craeKnown * 100}`,
    );
    assert.ok(Math.abs(m.crve.value! - crveKnown) * disc.diameter <= 0.5);
    assert.ok(Math.abs(m.avr.value! - m.crae.value! / m.crve.value!) < 1e-12);
    assert.equal(m.crae.unit, 'DD');
    assert.equal(m.avr.unit, 'ratio');
  });

  test('every value lies inside its 95% interval', () => {
    for (const key of [
      'crae',
      'crve',
      'avr',
      'calibre',
      'tortuosity',
      'fractalDimension',
      'vesselDensity',
    ] as const) {
      const v = m[key];
      assert.ok(v.value !== null && v.ci95 !== null, key);
      assert.ok(v.ci95[0] <= v.value && v.value <= v.ci95[1], `${key}: ${v.value} outside ${v.ci95}`);
    }
  });

  test('micrometres when the pixel size is known', () => {
    const um = measureImage({ ...ph, av, disc, pixelSizeUm: 10, draws: 50 });
    assert.equal(um.crae.unit, 'µm');
    assert.ok(Math.abs(um.crae.value! - m.crae.value! * disc.diameter * 10) < 1e-6);
    assert.equal(um.tortuosityDensity.unit, '1/mm');
  });

  test("the interval carries the artery/vein classifier's confidence", () => {
    const sure = new Float32Array(av.length).map((_, i) => (av[i] === AV_CLASS.artery ? 0.99 : 0.01));
    const unsure = new Float32Array(av.length).map((_, i) => (av[i] === AV_CLASS.artery ? 0.6 : 0.4));
    const width = (p: Float32Array) => {
      const r = measureImage({ ...ph, av, disc, arteryProbability: p, draws: 300 }).avr;
      return r.ci95![1] - r.ci95![0];
    };
    assert.ok(width(unsure) > 2 * width(sure), 'less sure labels give a wider AVR interval');
  });

  test('a vessel the classifier cannot call moves CRAE and CRVE by its probability, not all at once', () => {
    // A seventh vein of 13 px, artery with probability 0.5: the expected CRAE lies halfway between the formula
    // with it among the arterioles and without it (a hard label would jump to one or the other).
    const seventh = ring(arteries, [...veins, 13]);
    const angle = (2 * Math.PI * 12) / 13 + 0.1;
    const size = seventh.ph.width;
    const p = new Float32Array(seventh.av.length).map((_, i) => {
      if (seventh.av[i] !== AV_CLASS.vein) return seventh.av[i] === AV_CLASS.artery ? 1 : 0.5;
      const x = (i % size) - seventh.disc.x;
      const y = Math.floor(i / size) - seventh.disc.y;
      const d = Math.atan2(y, x) - angle;
      return Math.abs(Math.atan2(Math.sin(d), Math.cos(d))) < 0.1 ? 0.5 : 0;
    });
    const r = measureImage({ ...seventh.ph, av: seventh.av, disc: seventh.disc, arteryProbability: p });
    const w = (list: { width: number }[]) => list.map((v) => v.width);
    const candidates = r.zoneCandidates.B;
    assert.equal(candidates.veins.length, 7);
    const unsure = candidates.veins.find((v) => {
      const d = Math.atan2(v.y - seventh.disc.y, v.x - seventh.disc.x) - angle;
      return Math.abs(Math.atan2(Math.sin(d), Math.cos(d))) < 0.1;
    })!;
    assert.ok(Math.abs(unsure.width * seventh.disc.diameter - 13) <= 0.5, `${unsure.width}`);
    const withIt = knudtsonEquivalent([unsure.width, ...w(candidates.arteries)], 0.88);
    const without = knudtsonEquivalent(w(candidates.arteries), 0.88);
    const half = (withIt + without) / 2;
    assert.ok(Math.abs(r.crae.value! - half) < 0.1 * (withIt - without), `${r.crae.value} vs ${half}`);
    assert.ok(Math.abs(r.avr.value! - r.crae.value! / r.crve.value!) < 1e-12);
  });

  test("a mask re-thresholded in the viewer is measured about the cut it was made at, not the prediction's", () => {
    // A soft probability map: 0.9 on the vessels' centres falling off over their edges (a 5x5 box blur).
    const size = ph.width;
    const p = new Float32Array(ph.mask.length);
    for (let y = 2; y < size - 2; y++)
      for (let x = 2; x < size - 2; x++) {
        let sum = 0;
        for (let dy = -2; dy <= 2; dy++)
          for (let dx = -2; dx <= 2; dx++) sum += ph.mask[(y + dy) * size + x + dx];
        p[y * size + x] = (0.9 * sum) / 25;
      }
    const cut = (t: number) => p.map((v) => (v >= t ? 1 : 0)) as unknown as Uint8Array;
    const mask = Uint8Array.from(cut(0.56));
    // Levels of this map are 0.036 apart: every cut from 0.541 to 0.576 makes this mask; the middle is taken.
    const t = effectiveThreshold(mask, p, 0.41);
    assert.ok(t > 0.54 && t < 0.577, `${t}`);
    const saved = measureImage({ ...ph, mask, av, disc, probability: p, threshold: 0.41, draws: 50 });
    const [lo, hi] = saved.vesselDensity.ci95!;
    const v = saved.vesselDensity.value!;
    assert.ok(lo < v && v < hi, `the density ${v} sits on its interval's edge [${lo}, ${hi}]`);
    // The prediction's own mask keeps the prediction's cut, and a few pixels painted by hand do not move it.
    const own = Uint8Array.from(cut(0.41));
    assert.equal(effectiveThreshold(own, p, 0.41), 0.41);
    own.fill(1, 0, 2000);
    assert.equal(effectiveThreshold(own, p, 0.41), 0.41);
  });

  test('the same seed gives the same intervals', () => {
    const again = measureImage({ ...ph, av, disc, draws: 100 });
    assert.deepEqual(again.crae, m.crae);
  });
});

describe('absent values say why', () => {
  test('no disc: CRAE, CRVE and AVR are absent, lengths in pixels', () => {
    const { ph, av } = ring([5, 6, 7, 8, 9, 10], [7, 8, 9, 11, 12, 14]);
    const m = measureImage({ ...ph, av, disc: null, draws: 20 });
    assert.equal(m.crae.value, null);
    assert.match(m.crae.reason!, /no optic disc/);
    assert.equal(m.avr.value, null);
    assert.equal(m.calibre.unit, 'px');
  });

  test('five arterioles in zone B: CRAE and AVR absent, CRVE measured', () => {
    const { ph, av, disc } = ring([5, 6, 7, 8, 9], [7, 8, 9, 11, 12, 14]);
    const m = measureImage({ ...ph, av, disc, draws: 20 });
    assert.equal(m.crae.value, null);
    assert.match(m.crae.reason!, /only 5 arterioles .* zone B \(6 needed\)/);
    assert.equal(m.avr.value, null);
    assert.ok(m.crve.value! > 0);
    // One vessel is said in the singular.
    const r = ring([5], [7, 8, 9, 11, 12, 14]);
    const one = measureImage({ ...r.ph, av: r.av, disc: r.disc, draws: 20 });
    assert.match(one.crae.reason!, /^only 1 arteriole measurable in zone B \(6 needed\)$/);
  });

  test('an empty mask has no fractal dimension, and a class with no vessel none of its own', () => {
    const empty = measureImage({ ...blank(200, 200), draws: 20 });
    assert.equal(empty.fractalDimension.value, null);
    assert.match(empty.fractalDimension.reason!, /no vessel pixels in the mask/);
    assert.equal(empty.vesselDensity.value, 0, 'a density of 0 is a measurement');
    // Arteries only: the veins' dimension is absent, not 0; the veins' density is 0.
    const { ph, av, disc } = ring([5, 6, 7, 8, 9, 10], [7, 8, 9, 11, 12, 14]);
    const arteriesOnly = av.map((v) => (v === AV_CLASS.vein ? 0 : v));
    const m = measureImage({ ...ph, av: arteriesOnly, disc, draws: 20 });
    assert.ok(m.fractalDimensionArteries.value! > 0);
    assert.equal(m.fractalDimensionVeins.value, null);
    assert.match(m.fractalDimensionVeins.reason!, /no veins labelled/);
    assert.equal(m.vesselDensityVeins.value, 0);
  });

  test('no artery/vein labels', () => {
    const { ph, disc } = ring([5, 6, 7, 8, 9, 10], [7, 8, 9, 11, 12, 14]);
    const m = measureImage({ ...ph, disc, draws: 20 });
    assert.match(m.crve.reason!, /no artery\/vein labels/);
    assert.match(m.fractalDimensionArteries.reason!, /no artery\/vein labels/);
  });
});

describe('the vessel graph', () => {
  test('a T branching gives one junction and three segments; an X gives a crossing', () => {
    const t = blank(300, 300);
    paintTube(t, (s) => ({ x: 30 + s * 240, y: 150.25 }), 5);
    paintTube(t, (s) => ({ x: 150.25, y: 150 + s * 120 }), 5);
    const g = buildVesselGraph(t);
    assert.equal(g.nodes.filter((n) => n.kind === 'junction').length, 1);
    assert.equal(g.segments.length, 3);

    const x = blank(300, 300);
    paintTube(x, (s) => ({ x: 30 + s * 240, y: 30 + s * 240 }), 5);
    paintTube(x, (s) => ({ x: 270 - s * 240, y: 30 + s * 240 }), 5);
    const gx = buildVesselGraph(x);
    assert.ok(
      gx.nodes.some((n) => n.kind === 'crossing'),
      'the crossing is recognised',
    );
    assert.equal(gx.nodes.filter((n) => n.kind === 'junction').length, 0);
  });
});

describe("zone B's vessels as the protocol takes them", () => {
  // Twelve straight vessels around a disc 100 px across (zone B: 100 to 150 px from its centre), arteries and veins
  // alternating; a test replaces the vessels in one place.
  const disc = { x: 320.25, y: 320.25, diameter: 100 };
  type Point = { x: number; y: number };
  const polar = (r: number, a: number): Point => ({
    x: disc.x + r * Math.cos(a),
    y: disc.y + r * Math.sin(a),
  });
  const along = (p: Point, a: number, d: number): Point => ({
    x: p.x + d * Math.cos(a),
    y: p.y + d * Math.sin(a),
  });
  type Tube = { from: Point; to: Point; width: number; cls: number };
  function layout(tubes: Tube[]) {
    const ph = blank(640, 640);
    const av = new Uint8Array(ph.mask.length);
    for (const { from: a, to: b, width, cls } of tubes) {
      const tube = blank(640, 640);
      paintTube(tube, (t) => ({ x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) }), width);
      for (let i = 0; i < tube.mask.length; i++)
        if (tube.mask[i]) {
          ph.mask[i] = 1;
          av[i] = cls;
        }
    }
    return { ph, av };
  }
  const angle = (k: number): number => (k * Math.PI) / 6 + 0.1;
  const classOf = (k: number): number => (k % 2 ? AV_CLASS.vein : AV_CLASS.artery);
  const widths = [5, 7, 6, 8, 7, 9, 8, 10, 9, 11, 10, 12];
  const radial = (k: number): Tube => ({
    from: polar(60, angle(k)),
    to: polar(300, angle(k)),
    width: widths[k],
    cls: classOf(k),
  });
  const widest = (xs: number[]): number[] => [...xs].sort((p, q) => q - p);
  const measuredPx = (list: { width: number }[]): number[] => list.map((v) => v.width * disc.diameter);

  test('an arteriole and a venule crossing inside the zone are two vessels, each measured on its own', () => {
    // In place of vessels 0 and 1: a 6 px artery and a 9 px vein crossing in an X at 1.2 disc diameters, each 25
    // degrees off the radius.
    const tubes = widths.map((_, k) => radial(k)).slice(2);
    const mid = (angle(0) + angle(1)) / 2;
    const x = polar(120, mid);
    for (const [turn, width, cls] of [
      [0.44, 6, AV_CLASS.artery],
      [-0.44, 9, AV_CLASS.vein],
    ])
      tubes.push({ from: along(x, mid + turn, -70), to: along(x, mid + turn, 190), width, cls });
    const { ph, av } = layout(tubes);
    const m = measureImage({ ...ph, av, disc, draws: 20 });
    const rest = (cls: number): number[] => widths.filter((_, k) => k > 1 && classOf(k) === cls);
    const arteries = measuredPx(m.zoneCandidates.B.arteries);
    const veins = measuredPx(m.zoneCandidates.B.veins);
    assert.equal(arteries.length, 6, arteries.join(' '));
    assert.equal(veins.length, 6, veins.join(' '));
    widest([6, ...rest(AV_CLASS.artery)]).forEach((w, k) =>
      assert.ok(Math.abs(arteries[k] - w) <= 0.5, `A${k + 1}: ${arteries[k]} vs ${w}`),
    );
    widest([9, ...rest(AV_CLASS.vein)]).forEach((w, k) =>
      assert.ok(Math.abs(veins[k] - w) <= 0.5, `V${k + 1}: ${veins[k]} vs ${w}`),
    );
  });

  test('an arteriole branching inside the zone is one vessel, measured on its trunk', () => {
    // In place of vessel 0: a 6 px trunk to 1.14 disc diameters, where two 4 px branches part at +-29 degrees and
    // cross the zone's middle circle.
    const tubes = widths.map((_, k) => radial(k)).slice(1);
    const fork = polar(114, angle(0));
    tubes.push({ from: polar(60, angle(0)), to: fork, width: 6, cls: AV_CLASS.artery });
    for (const turn of [-0.5, 0.5])
      tubes.push({ from: fork, to: along(fork, angle(0) + turn, 200), width: 4, cls: AV_CLASS.artery });
    const { ph, av } = layout(tubes);
    const m = measureImage({ ...ph, av, disc, draws: 20 });
    const arteries = m.zoneCandidates.B.arteries;
    assert.equal(arteries.length, 6, measuredPx(arteries).join(' '));
    const trunk = arteries.find((v) => Math.abs(Math.atan2(v.y - disc.y, v.x - disc.x) - angle(0)) < 0.3)!;
    assert.ok(Math.abs(trunk.width * disc.diameter - 6) <= 0.5, `trunk ${trunk.width * disc.diameter}`);
  });
});
