// The gradability verdict on its own: real photographs' evidence (the extremes met over the datasets) is gradable,
// with warnings only for what is unusual; each made-up failure (black, blown out, blurred to nothing, noise) is not,
// saying why; an ungradable photograph's measures are all withheld with that reason, in the JSON and the CSV.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ring } from './phantoms.js';
import { measureImage } from '../../../shared/measure/measures.js';
import { MEASURE_ROWS, measuresCsv, measuresJson } from '../../../shared/measure/measure-table.js';
import {
  gradabilityLine,
  judgeGradability,
  withGradability,
  type QualityEvidence,
} from '../../../shared/measure/gradability.js';

/** A DRIVE photograph's evidence. */
const real: QualityEvidence = {
  apertureFound: true,
  fieldShare: 0.68,
  vesselShare: 0.12,
  speckShare: 0.009,
  sharpness: 0.028,
  overexposed: 0,
  underexposed: 0,
  expectedF1: null,
};

describe('gradability', () => {
  test("real photographs' extremes are gradable without a warning (hazy STARE, wide field without an aperture)", () => {
    for (const e of [
      real,
      { ...real, sharpness: 0.0105, vesselShare: 0.074 },
      { ...real, apertureFound: false, fieldShare: 0.97, vesselShare: 0.057, speckShare: 0.028 },
      { ...real, expectedF1: 0.75 },
      { ...real, vesselShare: 0.18 },
    ]) {
      const q = judgeGradability(e);
      assert.equal(q.gradable, true, q.reasons.join());
      assert.deepEqual(q.warnings, []);
      assert.equal(gradabilityLine(q), 'gradable');
    }
  });

  test('moderate evidence is a warning; the photograph stays gradable', () => {
    const q = judgeGradability({ ...real, sharpness: 0.006, overexposed: 0.2, expectedF1: 0.3 });
    assert.equal(q.gradable, true);
    assert.equal(q.warnings.length, 3, q.warnings.join('\n'));
    const dense = judgeGradability({ ...real, vesselShare: 0.35 });
    assert.equal(dense.gradable, true);
    assert.match(gradabilityLine(dense), /^gradable, but vessels found almost everywhere: they cover 35%/);
    assert.match(
      gradabilityLine(q),
      /^gradable, but blown out: 20% .*little fine detail.*expected F1 is low \(0\.30\)/,
    );
  });

  test('black, blown out, blurred to nothing and noise are ungradable, each saying why', () => {
    const cases: [QualityEvidence, RegExp][] = [
      [
        { ...real, apertureFound: false, vesselShare: 0, speckShare: 1, sharpness: 0, underexposed: 1 },
        /too dark: 100%/,
      ],
      [
        { ...real, vesselShare: 0.154, sharpness: 0.0076, overexposed: 0.7 },
        /blown out: 70% of the field of view is white/,
      ],
      [
        { ...real, vesselShare: 0.005, speckShare: 0.09, sharpness: 0.0045 },
        /few vessels found: they cover 0\.5%/,
      ],
      [
        { ...real, apertureFound: false, vesselShare: 0.027, speckShare: 0.93, sharpness: 0.1 },
        /no vessel tree: 93% .* specks/,
      ],
      // A featureless frame (uniform grey or orange, any size) segments as vessel almost everywhere.
      [
        { ...real, apertureFound: false, fieldShare: 1, vesselShare: 0.92, speckShare: 0, sharpness: 0 },
        /vessels found almost everywhere: they cover 92% of the field of view/,
      ],
    ];
    for (const [e, why] of cases) {
      const q = judgeGradability(e);
      assert.equal(q.gradable, false);
      assert.match(q.reasons.join('; '), why);
      assert.match(gradabilityLine(q), /^ungradable photograph: /);
    }
  });

  test("an ungradable photograph's every measure is absent with the reason, in the JSON and the CSV", () => {
    const { ph, av, disc } = ring([5, 6, 7, 8, 9, 10], [7, 8, 9, 11, 12, 14]);
    const measured = measureImage({ ...ph, av, disc, draws: 20 });
    assert.notEqual(measured.crae.value, null);
    const q = judgeGradability({ ...real, overexposed: 0.7 });
    const m = withGradability(measured, q);
    for (const { key } of MEASURE_ROWS) {
      assert.equal(m[key].value, null, key);
      assert.equal(m[key].ci95, null, key);
      assert.equal(m[key].unit, measured[key].unit, key);
      assert.equal(m[key].reason, 'ungradable photograph: blown out: 70% of the field of view is white', key);
    }
    assert.deepEqual(m.zoneVessels.B, { arteries: [], veins: [] });
    assert.deepEqual(m.disc, measured.disc, 'the disc found stays');
    const json = measuresJson(m) as { quality: { gradable: boolean; reasons: string[] } };
    assert.equal(json.quality.gradable, false);
    assert.deepEqual(json.quality.reasons, q.reasons);
    const [header, row] = measuresCsv([{ image: 'x.png', width: ph.width, height: ph.height, measures: m }])
      .trim()
      .split('\n');
    assert.match(header, /,notes,gradable,quality$/);
    assert.match(row, /,false,ungradable photograph: blown out: 70% of the field of view is white$/);
    // A gradable photograph keeps its values; measures never judged leave the columns empty.
    const kept = withGradability(measured, judgeGradability(real));
    assert.deepEqual(kept.crae, measured.crae);
    const rows = measuresCsv([
      { image: 'a.png', width: 1, height: 1, measures: kept },
      { image: 'b.png', width: 1, height: 1, measures: measured },
    ])
      .trim()
      .split('\n');
    assert.match(rows[1], /,true,gradable$/);
    assert.match(rows[2], /,,$/);
  });
});
