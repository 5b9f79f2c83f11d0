// The units the measures' JSON and CSV name: every figure says what it is in. The disc's place and size are in the
// photograph's pixels whatever the measures' length unit, so they must not read as micrometres or disc diameters.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ring } from './phantoms.js';
import { measureImage } from '../../../shared/measure/measures.js';
import { measuresCsv, measuresJson } from '../../../shared/measure/measure-table.js';

describe('units in the measures JSON and CSV', () => {
  const { ph, av, disc } = ring([5, 6, 7, 8, 9, 10], [7, 8, 9, 11, 12, 14]);
  const m = measureImage({ ...ph, av, disc, pixelSizeUm: 10, draws: 20 });

  test("the disc's pixels are labelled pixels beside a length unit of micrometres", () => {
    assert.equal(m.scale.unit, 'µm');
    const [header, row] = measuresCsv([
      { image: 'ring.png', width: ph.width, height: ph.height, measures: m },
    ])
      .trim()
      .split('\n');
    const cols = header.split(',');
    const cells = row.split(',');
    const cell = (name: string) => cells[cols.indexOf(name)];
    assert.equal(cell('length_unit'), 'µm');
    // 100 px across, not 100 µm (a disc is some 1800 µm).
    assert.deepEqual(
      cols.filter((c) => c.startsWith('disc_') && c !== 'disc_at_field_edge'),
      ['disc_x_px', 'disc_y_px', 'disc_diameter_px'],
    );
    assert.equal(cell('disc_diameter_px'), '100');
    assert.deepEqual(measuresJson(m).disc, { x: disc.x, y: disc.y, diameter: 100, unit: 'px' });
  });

  test('density and fractal dimension are unitless, tortuosity a ratio, tortuosity density per millimetre', () => {
    const json = measuresJson(m) as Record<string, { unit: string }>;
    assert.equal(json.crae.unit, 'µm');
    assert.equal(json.calibre.unit, 'µm');
    assert.equal(json.avr.unit, 'ratio');
    assert.equal(json.vesselDensity.unit, 'fraction');
    assert.equal(json.fractalDimension.unit, 'dimensionless');
    assert.equal(json.tortuosity.unit, 'ratio');
    assert.equal(json.tortuosityDensity.unit, '1/mm');
  });

  test("the named vessels' places are pixels, their widths and the graph's length in the length unit", () => {
    const json = measuresJson(m) as {
      zoneVessels: { B: { arteries: { x: number; width: number }[] }; units: Record<string, string> };
      graph: { length: number; lengthUnit: string };
    };
    assert.deepEqual(json.zoneVessels.units, { x: 'px', y: 'px', width: 'µm' });
    assert.equal(json.graph.lengthUnit, 'µm');
    // A ring vessel of 5 px at 10 µm a pixel: some 50 µm wide, placed within the 640 px phantom.
    const a = json.zoneVessels.B.arteries.at(-1)!;
    assert.ok(a.width > 30 && a.width < 80, `width ${a.width}`);
    assert.ok(a.x >= 0 && a.x < ph.width, `x ${a.x}`);
  });

  test('without a disc, no disc columns are filled and the JSON says null', () => {
    const none = measureImage({ ...ph, av, disc: null, pixelSizeUm: 10, draws: 20 });
    assert.equal(measuresJson(none).disc, null);
  });
});
