// The retrain settings file: a value an earlier version allowed and this one does not still reads, as the
// nearest it allows, rather than stopping every retrain and the app's settings dialog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSettings, saveSettings } from '../../main/retrain/settings.js';
import { RetrainError } from '../../main/retrain/errors.js';

test('minHeldOut 1 (allowed before) reads as 2; a value that never was allowed is still refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'retina-settings-'));
  try {
    const file = join(dir, 'retina.db.retrain.json');
    writeFileSync(file, JSON.stringify({ minHeldOut: 1 }));
    assert.equal(readSettings(file).minHeldOut, 2);
    assert.equal((await saveSettings(file, { epochs: 3 })).minHeldOut, 2, 'the dialog could not save either');
    writeFileSync(file, JSON.stringify({ minHeldOut: 0 }));
    assert.throws(
      () => readSettings(file),
      (err: Error) => err instanceof RetrainError && /minHeldOut/.test(err.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
