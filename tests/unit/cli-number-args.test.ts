// Numeric command-line options as typed: a number written in decimal, or a one-line usage error that quotes what
// was typed. A blank value is not read as 0 ("--field-angle ''" was told "got 0"), nor hexadecimal as a number
// ("--field-angle 0x2D" measured at 45 degrees).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { num, parseCommand } from '../../main/cli/args.js';
import { UsageError } from '../../main/cli/errors.js';

const angle = (v: string) =>
  num(parseCommand(['--field-angle', v], { 'field-angle': { type: 'string' } }, '')!, 'field-angle', {
    min: 1,
    max: 250,
  });

test('decimal numbers, with a sign, fraction or exponent, are read', () => {
  for (const [typed, value] of [
    ['45', 45],
    ['45.5', 45.5],
    ['+50', 50],
    ['.5e2', 50],
    ['1E2', 100],
    [' 45 ', 45],
  ] as const)
    assert.equal(angle(typed), value, typed);
});

test('blank, hexadecimal, binary or otherwise not decimal: a usage error quoting it', () => {
  for (const typed of ['', ' ', '0x2D', '0b101101', '0o55', '45deg', 'NaN', 'Infinity', '4_5'])
    assert.throws(
      () => angle(typed),
      (err: unknown) =>
        err instanceof UsageError && err.message === `--field-angle expects a number, got '${typed}'`,
      JSON.stringify(typed),
    );
});

test('out of range: the number named', () => {
  assert.throws(() => angle('0'), /--field-angle must be within \[1, 250\], got 0/);
  assert.throws(() => angle('400'), /got 400/);
});
