// What the Measurements panel and its layer show (renderer/src/measure/measureView.ts), from a measured payload:
// rows with value and interval or the reason for an absent value, the unit's source in words, whose disc the zones
// are drawn around, the zones' radii and the named vessels; and its Shift+M key, which no other action takes.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { MeasurementsPayload } from '../../shared/contract.js';
import { formatFigure, formatMeasure, MEASURE_ROWS } from '../../shared/measure/measure-table.js';
import type { ImageMeasures, Measure } from '../../shared/measure/measures.js';
import {
  discNote,
  measureLines,
  namedVessels,
  scaleNote,
  zoneRings,
} from '../../renderer/src/measure/measureView.js';
import { BINDINGS, actionFor } from '../../renderer/src/viewer/keymap.js';
import { keyPress } from '../support/drawn-masks.js';

const absent = (reason: string): Measure => ({ value: null, unit: 'DD', ci95: null, reason });

function payload(
  over: Partial<ImageMeasures> = {},
  scaleSource: MeasurementsPayload['scaleSource'] = null,
  discBy: string | null = null,
) {
  const base = Object.fromEntries(
    MEASURE_ROWS.map((r) => [r.key, { value: 1.5, unit: 'ratio', ci95: [1.25, 1.75] } as Measure]),
  );
  const measures = {
    ...base,
    scale: { unit: 'DD', perPixel: 1 / 80, source: 'disc diameter' },
    disc: { x: 100, y: 200, diameter: 80 },
    zoneVessels: {
      B: {
        arteries: [{ name: 'A1', segment: 3, x: 10, y: 20, width: 0.0812 }],
        veins: [{ name: 'V1', segment: 4, x: 30, y: 40, width: 0.125 }],
      },
      C: { arteries: [], veins: [] },
    },
    graph: { segments: 1, junctions: 0, crossings: 0, ends: 2, length: 3 },
    ...over,
  } as ImageMeasures;
  return {
    imageId: '1',
    versionId: '7',
    version: 2,
    kind: 'draft',
    scaleSource,
    discBy,
    measures,
    cached: false,
  } satisfies MeasurementsPayload;
}

describe('the Measurements panel', () => {
  test('a row per measure, in the table order, with value, interval and the help', () => {
    const crve = absent('only 4 venules measurable in zone B (6 needed)');
    const lines = measureLines(
      payload({ crae: { value: 0.0890123, unit: 'DD', ci95: [0.0839, 0.0957] }, crve }),
    );
    assert.deepEqual(
      lines.map((l) => l.key),
      MEASURE_ROWS.map((r) => r.key),
    );
    const [crae, veins] = lines;
    assert.equal(crae.value, '0.0890 DD');
    assert.equal(crae.interval, '0.0839 – 0.0957');
    assert.equal(crae.absent, null);
    assert.equal(crae.help, MEASURE_ROWS[0].help);
    assert.equal(veins.value, null);
    assert.equal(veins.interval, null);
    assert.equal(veins.absent, 'only 4 venules measurable in zone B (6 needed)');
    // A ratio has no unit.
    assert.equal(lines.find((l) => l.key === 'avr')?.value, '1.500');
    // Micrometres to a tenth in the interval as in the value (it read "86.9 µm, 75.292 – 98.928").
    const um = measureLines(payload({ crae: { value: 86.871, unit: 'µm', ci95: [75.292, 98.928] } }))[0];
    assert.deepEqual([um.value, um.interval], ['86.9 µm', '75.3 – 98.9']);
  });

  test('the unit says where it comes from, and how to get micrometres', () => {
    assert.match(scaleNote(payload()), /disc diameters.*field angle in the image's clinical info/);
    const um = { unit: 'µm', perPixel: 24.25, source: 'pixel size' } as const;
    assert.match(scaleNote(payload({ scale: um }, 'field angle')), /field angle.*24\.3 µm per pixel/);
    assert.match(scaleNote(payload({ scale: um }, 'dicom')), /DICOM pixel spacing/);
    const px = { unit: 'px', perPixel: 1, source: 'none' } as const;
    assert.match(scaleNote(payload({ scale: px, disc: null })), /pixels: no optic disc/);
  });

  test("whose disc the zones are drawn around: the model's, a person's, or none with how to place one", () => {
    assert.match(discNote(payload()), /model's optic disc: drag its centre.*Disc tool \(Shift\+D\) resizes/);
    assert.equal(discNote(payload({}, null, 'ann')), 'Zones around the optic disc set by hand (ann).');
    // A disc removed by hand leaves none to draw around: the note says who removed it and how to place one; the
    // model's finding none is said as that.
    assert.match(
      discNote(payload({ disc: null }, null, 'ann')),
      /^Optic disc removed by hand \(ann\): the Disc tool \(Shift\+D\) places one/,
    );
    assert.match(discNote(payload({ disc: null })), /^No optic disc found: the Disc tool/);
  });

  test('zones B (1-1.5 disc diameters from the centre) and C (1-2.5) around the disc; none without one', () => {
    assert.deepEqual(zoneRings(payload()), [
      { zone: 'C', x: 100, y: 200, inner: 80, outer: 200 },
      { zone: 'B', x: 100, y: 200, inner: 80, outer: 120 },
    ]);
    assert.deepEqual(zoneRings(payload({ disc: null })), []);
  });

  test('the named vessels of zone B, arteries first, with their widths in the unit', () => {
    assert.deepEqual(namedVessels(payload()), [
      { name: 'A1', kind: 'artery', x: 10, y: 20, width: '0.0812 DD' },
      { name: 'V1', kind: 'vein', x: 30, y: 40, width: '0.125 DD' },
    ]);
  });

  test('Shift+M opens it; plain M stays the pan tool; no other binding takes Shift+M', () => {
    const k = keyPress;
    assert.equal(actionFor(k('M', true)), 'measurements');
    assert.equal(actionFor(k('m', false)), 'pan');
    assert.deepEqual(
      BINDINGS.filter((b) => b.match(k('M', true))).map((b) => b.action),
      ['measurements'],
    );
  });
});

test('micrometres are written to a tenth, other figures to 3-4 significant figures', () => {
  assert.equal(formatFigure(78.65612, 'µm'), '78.7');
  assert.equal(formatFigure(188.14, 'µm'), '188.1');
  assert.equal(formatFigure(0.06751, 'DD'), '0.0675');
  assert.equal(formatFigure(1.45213, 'dimensionless'), '1.452');
  assert.equal(
    formatMeasure({ value: 78.65612, unit: 'µm', ci95: [69.754, 88.2961] }),
    '78.7 µm (95% interval 69.8-88.3)',
  );
});
