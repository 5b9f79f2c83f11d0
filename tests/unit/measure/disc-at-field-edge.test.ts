// A disc cut off by the field's edge: the check on its own (the photograph's border when no field of view is given),
// and measureImage's note on the disc it was given (a ring of six arteries and six veins around a disc 100 px
// across), carried into the measures JSON and CSV; the values stay as measured.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ring } from './phantoms.js';
import { measureImage } from '../../../shared/measure/measures.js';
import { measuresCsv, measuresJson } from '../../../shared/measure/measure-table.js';
import { DISC_AT_FIELD_EDGE_NOTE, discAtFieldEdge } from '../../../shared/measure/disc-at-field-edge.js';

describe("a disc cut off by the field's edge", () => {
  const { ph, av, disc } = ring([5, 6, 7, 8, 9, 10], [7, 8, 9, 11, 12, 14]);
  // A field that ends 20 px left of the disc's centre: its ring (60 px out) is 39% outside.
  const cutFov = new Uint8Array(ph.mask.length);
  for (let i = 0; i < cutFov.length; i++) cutFov[i] = i % ph.width >= 300 ? 1 : 0;

  test("without a field of view, the photograph's border is the field's edge", () => {
    const photo = { width: ph.width, height: ph.height };
    assert.equal(discAtFieldEdge({ ...disc, x: 15 }, photo), true);
    assert.equal(discAtFieldEdge({ ...disc, x: 70 }, photo), false);
    assert.equal(discAtFieldEdge(disc, photo), false);
  });

  test('a disc well inside the field: no note', () => {
    const m = measureImage({ ...ph, av, disc, draws: 20 });
    assert.equal(m.discAtFieldEdge, false);
    assert.deepEqual(m.notes, []);
  });

  test('a field whose edge cuts the disc: the note, and every value still measured', () => {
    const m = measureImage({ ...ph, av, disc, fov: cutFov, draws: 20 });
    assert.equal(m.discAtFieldEdge, true);
    assert.deepEqual(m.notes, [DISC_AT_FIELD_EDGE_NOTE]);
    for (const k of ['crae', 'crve', 'avr', 'calibre'] as const)
      assert.ok(m[k].value !== null, `${k}: ${m[k].reason}`);
    assert.equal(m.scale.unit, 'DD');

    const json = measuresJson(m, { input: 'ring.png' });
    assert.equal(json.discAtFieldEdge, true);
    assert.deepEqual(json.notes, [DISC_AT_FIELD_EDGE_NOTE]);
    const [header, row] = measuresCsv([
      { image: 'ring.png', width: ph.width, height: ph.height, measures: m },
    ])
      .trim()
      .split('\n');
    // Then the gradability columns, empty: these measures were not judged on a photograph's pixels.
    assert.match(header, /,disc_at_field_edge,notes,gradable,quality$/);
    assert.ok(row.endsWith(`,true,"${DISC_AT_FIELD_EDGE_NOTE}",,`), row.slice(-200));
    // A file name that starts like a formula is not one in a spreadsheet (CSV injection); numbers stay numbers.
    const [, named] = measuresCsv([
      { image: "=2+5+cmd|' calc'!A0.png", width: ph.width, height: ph.height, measures: m },
    ])
      .trim()
      .split('\n');
    assert.ok(named.startsWith(`'=2+5+cmd|' calc'!A0.png,${ph.width},`), named.slice(0, 60));
  });

  test('no disc: nothing to flag', () => {
    const m = measureImage({ ...ph, av, disc: null, fov: cutFov, draws: 20 });
    assert.equal(m.discAtFieldEdge, false);
    assert.deepEqual(m.notes, []);
  });
});
