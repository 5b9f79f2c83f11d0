// A job that fails for an unexpected reason (a bug, here a database damaged outside the app: a trigger reading a
// table that is not there) leaves its stack in the support log, and the job's one-line error says where the
// details are. A known failure (an unreadable file) is the user's to act on, and is not logged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createWorkstation, type CallerContext } from '../../main/handlers/index.js';
import { driveTestImage, tinyModelDir } from '../e2e/model-fixture.js';
import { handlerCaller } from '../support/handler-call.js';

const ctx: CallerContext = { shell: 'browser', sender: 'test' };

test('a job failing unexpectedly: its stack in the support log, its error naming the log', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-job-log-'));
  const logFile = path.join(dir, 'logs', 'retina.log');
  const dbPath = path.join(dir, 'retina.db');
  const ws = await createWorkstation({
    dbPath,
    shell: 'browser',
    modelDir: await tinyModelDir(),
    user: 'tester',
    threads: 1,
    logFile,
  });
  const call = handlerCaller(() => ws, ctx);
  try {
    const bad = path.join(dir, 'Jane_Doe.png');
    await writeFile(bad, 'hello');
    const refused = await ws.jobs.wait((await call('importFiles', { paths: [bad] })).jobId);
    assert.equal(refused.error?.code, 'unreadable-file');
    assert.equal(existsSync(logFile), false, 'an unreadable file is not a failure to log');

    const imp = await ws.jobs.wait((await call('importFiles', { paths: [driveTestImage('01')] })).jobId);
    assert.equal(imp.state, 'done', imp.error?.message);
    const raw = new Database(dbPath);
    raw.exec('CREATE TRIGGER damaged BEFORE INSERT ON mask_versions BEGIN SELECT * FROM lost_table; END');
    raw.close();
    const job = await ws.jobs.wait((await call('predict', { imageIds: ['1'] })).jobId);
    assert.equal(job.state, 'failed');
    assert.equal(job.error?.code, 'internal');
    assert.equal(job.error?.message.split('\n').length, 1);
    assert.ok(job.error?.message.includes(logFile), job.error?.message);

    const log = readFileSync(logFile, 'utf8');
    assert.match(log, /unexpected error in predict job: /);
    assert.match(log, /\n\s+at .+:\d+:\d+/, 'the stack is there');
    assert.doesNotMatch(log, /Jane_Doe/, 'the refused file is not there');
  } finally {
    await ws.close();
    await rm(dir, { recursive: true, force: true });
  }
});
