// A retrain that fails for an unexpected reason (a bug; here a database damaged outside the app, whose trigger
// reads a table that is not there) leaves its stack in the support log, and its status's one-line error, which an
// automatic retrain prints too, says where the details are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { DiagnosticsLog } from '../../main/node/diagnostics-log.js';
import { RetrainService } from '../../main/retrain/service.js';
import type { RetrainStatus } from '../../shared/contract.js';
import { withRetrainStudy } from './retrain-study.js';

test('a retrain failing unexpectedly: its stack in the support log, its error naming the log', async () => {
  const logDir = await mkdtemp(path.join(tmpdir(), 'retina-retrain-log-'));
  const log = new DiagnosticsLog(path.join(logDir, 'retina.log'));
  try {
    await withRetrainStudy(
      'retrain-support-log',
      ['21', '22', '23', '24', '25', '26', '27', '28'],
      async ({ store }) => {
        const raw = new Database(store.path);
        raw.exec('CREATE TRIGGER damaged BEFORE INSERT ON training_runs BEGIN SELECT * FROM lost_table; END');
        raw.close();
        let last: RetrainStatus | null = null;
        const service = new RetrainService({
          dbPath: store.path,
          actor: 'tester',
          threads: 1,
          anatomyDirs: null,
          log,
          onStatus: (s) => (last = s),
        });
        await assert.rejects(service.start('auto'), (err: Error) => {
          assert.ok(err.message.includes(log.file), err.message);
          return true;
        });
        await service.close();
        const status = service.status() ?? last;
        assert.equal(status?.state, 'failed');
        assert.equal(status?.error?.code, 'internal');
        assert.equal(status?.error?.message.split('\n').length, 1);
        assert.ok(status?.error?.message.includes(log.file), status?.error?.message);
        const text = readFileSync(log.file, 'utf8');
        assert.match(text, /unexpected error in retrain: /);
        assert.match(text, /\n\s+at .+:\d+:\d+/, 'the stack is there');
      },
    );
  } finally {
    await rm(logDir, { recursive: true, force: true });
  }
});
