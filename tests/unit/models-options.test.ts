// `retina models` refuses an option given to an action it is not for, which would ignore it (`models keep 3
// --reason ...` recorded no reason; `models promote 3 --json` printed no JSON), before it opens the database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../main/cli/models-command.js';
import { UsageError } from '../../main/cli/errors.js';

test('each models action refuses the options and arguments of the others', async () => {
  const db = ['--database', '/nonexistent/retina-models-options.db'];
  for (const argv of [
    ['keep', '3', '--reason', 'why'],
    ['keep', '3', '--no-repredict'],
    ['list', '--reason', 'why'],
    ['list', '--no-repredict'],
    ['promote', '3', '--task', 'all'],
    ['rollback', '3', '--json'],
    ['keep', '3', '--json'],
    ['list', '3'],
  ]) {
    await assert.rejects(run([...argv, ...db]), UsageError, argv.join(' '));
  }
  // Their own options pass the check (and reach the missing database).
  for (const argv of [
    ['list', '--task', 'all', '--json'],
    ['promote', '3', '--reason', 'why', '--no-repredict'],
  ]) {
    await assert.rejects(run([...argv, ...db]), (err) => !(err instanceof UsageError), argv.join(' '));
  }
});
