// searchFold: what the worklist filters compare in JavaScript, and SQLite (its search function) and PostgreSQL (the
// same steps in SQL) in the store; the databases' agreement with it is checked in integration/clinical.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACCENT_FOLDS, searchFold, searchIncludes } from '../../shared/search-fold.js';

test('accents, case and Unicode form fold away; letters without a base letter are spelled out', () => {
  assert.equal(searchFold('MÜLLER^HANS'), 'muller^hans');
  assert.equal(searchFold('Hélène'.normalize('NFD')), 'helene');
  assert.equal(searchFold('São Paulo'), 'sao paulo');
  assert.equal(searchFold('Straße STRAẞE Ærø Łódź ŞAHİN Nguyễn'), 'strasse strasse aero lodz sahin nguyen');
  assert.equal(searchFold('ЖЁЛТЫЙ 50%_x'), 'жёлтый 50%_x', 'other scripts lower-case only; wildcards stay');
  assert.ok(searchIncludes('Müller', 'muller'));
  assert.ok(searchIncludes('Muller', 'Müller'), 'an accented query finds an unaccented name');
  assert.ok(!searchIncludes('Miller', 'muller'));
});

test('the accent table maps capital and small letters alike to plain small ASCII letters', () => {
  const table = new Map(ACCENT_FOLDS);
  for (const [letter, spelled] of ACCENT_FOLDS) {
    assert.match(spelled, /^[a-z]+$/, letter);
    assert.equal(letter.length, 1, 'TRANSLATE (a non-UTF8 PostgreSQL) maps one letter to one letter');
    const small = letter.toLowerCase();
    if (small.length === 1 && small !== letter) assert.equal(table.get(small), spelled, letter);
  }
  for (const letter of ['Ü', 'ü', 'É', 'ñ', 'Ç', 'ø', 'Ø', 'ł', 'ß', 'ẞ', 'æ', 'œ', 'ı', 'İ'])
    assert.ok(table.has(letter), letter);
});
