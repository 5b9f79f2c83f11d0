// Which database a command opens: a SQLite path, a postgres:// URL, and nothing else. A mistyped or foreign URL was
// read as a relative path: `serve --database mysql://u:secret@host/db` created folders named after it (the password
// among them) with a new empty SQLite study inside, and printed it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { databaseLocation } from '../../main/cli/database-args.js';
import { UsageError } from '../../main/cli/errors.js';

const at = (database: string) => databaseLocation({ database }, {});

test('a SQLite path is made absolute, a postgres:// URL is kept, a Windows drive path is a path', () => {
  assert.equal(at('studies/eye.db'), resolve('studies/eye.db'));
  assert.equal(at('study:2024.db'), resolve('study:2024.db'), 'a colon in a file name');
  assert.equal(at('postgres://retina@db.clinic/team'), 'postgres://retina@db.clinic/team');
  assert.equal(at('POSTGRESQL://retina@db/team'), 'POSTGRESQL://retina@db/team');
  assert.equal(at('C:/studies/eye.db'), resolve('C:/studies/eye.db'));
});

test('any other URL is a usage error that names the fix and hides the password', () => {
  for (const url of [
    'mysql://team:secret@db/x',
    'postgress://team:secret@db/x',
    'postgres:/team:secret@db/x',
  ]) {
    assert.throws(
      () => at(url),
      (err: unknown) =>
        err instanceof UsageError &&
        /is not a database RetinaStudio opens: .*postgres:\/\/user@host\/db/.test(err.message) &&
        !err.message.includes('secret') &&
        err.message.includes('***'),
      url,
    );
  }
});
