// What the two-visit comparison shows (renderer/src/measure/compareView.ts): the other visits of the same eye in
// date order, the later visit's vessels under the earlier names, the change lines with their flag, the notes for a
// missing disc or differing units, and the report's address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageSummary, VisitComparisonPayload } from '../../shared/contract.js';
import { compareVisits } from '../../shared/measure/compare-visits.js';
import { measureImage, type ImageMeasures } from '../../shared/measure/measures.js';
import {
  changeLines,
  comparisonMarks,
  comparisonNotes,
  reportUrl,
  sameVesselLines,
  vesselChangeLines,
  visitOptions,
} from '../../renderer/src/measure/compareView.js';
import { ring } from './measure/phantoms.js';

const arteries = [5, 6, 7, 8, 9, 10];
const veins = [7, 8, 9, 11, 12, 14];

function measured(vs: number[], rotation: number, disc = true): ImageMeasures {
  const r = ring(arteries, vs, 1, rotation);
  return measureImage({ ...r.ph, av: r.av, disc: disc ? r.disc : null, draws: 50 });
}

function payload(a: ImageMeasures, b: ImageMeasures): VisitComparisonPayload {
  const side = (imageId: string, visitDate: string, measures: ImageMeasures) => ({
    imageId,
    fileName: `${imageId}.png`,
    visitDate,
    width: 640,
    height: 640,
    measurements: {
      imageId,
      versionId: '1',
      version: 1,
      kind: 'draft' as const,
      scaleSource: null,
      discBy: null,
      measures,
      cached: false,
    },
  });
  return {
    earlier: side('1', '2025-01-01', a),
    later: side('2', '2026-01-01', b),
    comparison: compareVisits({ measures: a }, { measures: b }),
  };
}

test('the later visit keeps the earlier names, and the narrowed venule drives a flagged CRVE change', () => {
  const narrowed = [...veins];
  narrowed[5] = 9;
  // Turned a little: the later visit's vessels are found by their angle around the disc, not their index.
  const p = payload(measured(veins, 0), measured(narrowed, 0.05));
  const marks = comparisonMarks(p);
  assert.deepEqual(
    marks.earlier.map((m) => m.name),
    ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'],
  );
  assert.deepEqual(
    marks.later.map((m) => m.name),
    marks.earlier.map((m) => m.name),
  );
  const v1 = p.comparison.vessels.veins[0];
  const laterV1 = marks.later.find((m) => m.name === 'V1')!;
  assert.deepEqual([laterV1.kind, laterV1.x, laterV1.y], ['vein', v1.b!.x, v1.b!.y], 'drawn where B has it');
  const crve = changeLines(p).find((l) => l.key === 'crve')!;
  assert.equal(crve.exceeds, true);
  assert.match(crve.change!, /^-[\d.]+ DD$/);
  assert.match(crve.interval!, /^-[\d.]+ – -?[\d.]+$/);
  assert.equal(changeLines(p).find((l) => l.key === 'crae')!.exceeds, false);
  const same = sameVesselLines(p);
  assert.match(same[0], /^CRAE over the same six arterioles at the later visit: [\d.]+ DD$/);
  assert.match(same[1], /^CRVE over the same six venules at the later visit: [\d.]+ DD$/);
  assert.deepEqual(comparisonNotes(p), [
    'Registered by the disc only (no fovea at both visits): both photographs are taken as upright.',
  ]);
  // Which vessel narrowed: each named vessel with both widths, and only the narrowed venule changed.
  const rows = vesselChangeLines(p);
  assert.deepEqual(
    rows.map((r) => r.name),
    marks.earlier.map((m) => m.name),
  );
  const narrowedRow = rows.find((r) => r.name === 'V1')!;
  assert.equal(narrowedRow.kind, 'vein');
  assert.equal(narrowedRow.measured, true);
  assert.match(narrowedRow.earlier, /^[\d.]+ DD$/);
  assert.match(narrowedRow.change, /^-[\d.]+ DD$/);
  const changes = p.comparison.vessels.veins.map((m) => m.change!);
  assert.ok(changes[0] < -0.1 * p.comparison.vessels.veins[0].a.width, `V1 change ${changes[0]}`);
  for (const c of changes.slice(1))
    assert.ok(Math.abs(c) < Math.abs(changes[0]) / 3, `other venules ${changes}`);
});

test('a visit without a disc, and lengths in different units, are said plainly', () => {
  const p = payload(measured(veins, 0), measured(veins, 0, false));
  const notes = comparisonNotes(p);
  assert.match(notes[0], /optic disc was not found at the visit of 2026-01-01 \(2\.png\)/);
  assert.match(notes[1], /different units \(DD and px\)/);
  const crae = changeLines(p).find((l) => l.key === 'crae')!;
  assert.equal(crae.change, null);
  assert.deepEqual(sameVesselLines(p), [], 'nothing matched without a registration');
  assert.deepEqual(vesselChangeLines(p), [], 'no vessel is the same without a registration');
  assert.match(crae.note!, /disc/);
});

test("a visit whose disc the field's edge cuts off is named: its registration and zone changes may be wrong", () => {
  const cut = { ...measured(veins, 0.05), discAtFieldEdge: true };
  const notes = comparisonNotes(payload(measured(veins, 0), cut));
  const flagged = notes.filter((n) => /cut off by the field's edge/.test(n));
  assert.equal(flagged.length, 1, notes.join(' | '));
  assert.match(flagged[0], /at the visit of 2026-01-01 \(2\.png\): the registration and the changes/);
  assert.equal(
    comparisonNotes(payload(measured(veins, 0), measured(veins, 0.05))).some((n) => /cut off/.test(n)),
    false,
  );
});

test('a registration that turns one photograph by half a turn is questioned; a head tilt is not', () => {
  const a = measured(veins, 0);
  const withFoveae = (turnDeg: number): VisitComparisonPayload => {
    const p = payload(a, a);
    const disc = a.disc!;
    const at = (deg: number) => ({
      x: disc.x + 2.5 * disc.diameter * Math.cos((deg * Math.PI) / 180),
      y: disc.y + 2.5 * disc.diameter * Math.sin((deg * Math.PI) / 180),
    });
    return {
      ...p,
      comparison: compareVisits({ measures: a, fovea: at(0) }, { measures: a, fovea: at(-turnDeg) }),
    };
  };
  const far = comparisonNotes(withFoveae(179)).filter((n) => /turned by/.test(n));
  assert.equal(far.length, 1);
  assert.match(
    far[0],
    /photograph of 2026-01-01 \(2\.png\) had to be turned by 179°: are both photographs of the same eye\?/,
  );
  assert.deepEqual(
    comparisonNotes(withFoveae(15)).filter((n) => /turned by/.test(n)),
    [],
    'a 15° head tilt is no reason to doubt',
  );
});

test('visits without dates, or with the same one, say that which came first is not known', () => {
  const p = payload(measured(veins, 0), measured(veins, 0));
  const dated = (earlier: string | null, later: string | null): VisitComparisonPayload => ({
    ...p,
    earlier: { ...p.earlier, visitDate: earlier },
    later: { ...p.later, visitDate: later },
  });
  const order = (q: VisitComparisonPayload) => comparisonNotes(q).filter((n) => /came first/.test(n));
  assert.equal(order(p).length, 0, 'dated visits are in date order');
  assert.match(order(dated(null, null))[0], /neither has a visit date/);
  assert.match(order(dated('2025-01-01', null))[0], /one has no visit date/);
  assert.match(order(dated('2025-01-01', '2025-01-01'))[0], /the same visit date.*imported first/);
});

test('a change without an interval to judge it by says so instead of a flag', () => {
  const a = measured(veins, 0);
  const v = a.vesselDensity.value! + 0.0004;
  const b = { ...a, vesselDensity: { ...a.vesselDensity, value: v, ci95: [v, v] as [number, number] } };
  const line = changeLines(payload(a, b)).find((l) => l.key === 'vesselDensity')!;
  assert.equal(line.change, '+0.000400');
  assert.equal(line.exceeds, false);
  assert.equal(line.interval, null);
  assert.match(line.note!, /neither visit has an interval/);
});

test('other visits: the same patient and eye, oldest first; the report addresses', () => {
  const img = (id: string, patientId: string, laterality: 'OD' | 'OS' | null, visitDate: string | null) =>
    ({ id, patientId, laterality, visitDate, fileName: `${id}.png` }) as ImageSummary;
  const current = img('1', 'p', 'OD', '2026-01-01');
  const all = [
    current,
    img('2', 'p', 'OD', '2025-06-01'),
    img('3', 'p', 'OS', '2024-01-01'),
    img('4', 'q', 'OD', '2024-01-01'),
    img('5', 'p', 'OD', '2023-01-01'),
  ];
  assert.deepEqual(
    visitOptions(current, all).map((o) => o.label),
    ['2023-01-01 · 5.png', '2025-06-01 · 2.png'],
  );
  assert.deepEqual(visitOptions({ ...current, laterality: null }, all), []);
  assert.equal(reportUrl({ imageId: '7' }), 'report?image=7');
  assert.equal(reportUrl({ studyId: 'a b' }, true), 'report?study=a%20b&download=1');
  // Under a reverse proxy's sub-path the report stays under it.
  const page = 'https://intranet.example/retina/#image=3';
  assert.equal(
    new URL(reportUrl({ imageId: '7' }), page).href,
    'https://intranet.example/retina/report?image=7',
  );
});
