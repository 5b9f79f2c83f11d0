// CSV values in exports: quoted when they hold separators, and never read as a formula by a spreadsheet.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { csvField } from '../../shared/csv-field.js';

describe('csvField', () => {
  test('plain text and numbers pass as they are; null and non-finite numbers are empty', () => {
    assert.equal(csvField('Topcon TRC-50'), 'Topcon TRC-50');
    assert.equal(csvField(0.8235), '0.8235');
    assert.equal(csvField(null), '');
    assert.equal(csvField(Number.NaN), '');
  });

  test('commas, quotes and line breaks are quoted', () => {
    assert.equal(csvField('Roe, Jane'), '"Roe, Jane"');
    assert.equal(csvField('say "ah"'), '"say ""ah"""');
    assert.equal(csvField('a\nb'), '"a\nb"');
  });

  test('text that starts like a formula is defused with an apostrophe', () => {
    assert.equal(csvField('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
    assert.equal(csvField('+1'), "'+1");
    assert.equal(csvField('-2'), "'-2");
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField(-2), '-2', 'numbers are numbers');
  });
});
