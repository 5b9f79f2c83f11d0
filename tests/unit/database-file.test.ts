// Removing what a failed backup or copy began never throws for a path that cannot be there (under a file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDatabaseFile, removeIfThere } from '../../main/store/database-file.js';

test('a database file and its journals are removed; a path under a file is not there, not an error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'retina-dbfile-'));
  try {
    const db = join(dir, 'c.db');
    for (const suffix of ['', '-wal', '-shm', '-journal']) writeFileSync(db + suffix, 'x');
    await removeDatabaseFile(db);
    for (const suffix of ['', '-wal', '-shm', '-journal']) assert.equal(existsSync(db + suffix), false);
    const file = join(dir, 'stick');
    writeFileSync(file, 'not a folder');
    await removeDatabaseFile(join(file, 'c.db.partial-1'));
    await removeIfThere(join(file, 'c.db.partial-1.files'));
    assert.equal(existsSync(file), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
