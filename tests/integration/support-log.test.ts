// An unexpected failure behind the app (here a mask version's record damaged outside the app, whose JSON the
// parser's message quotes) leaves its stack in the support log, without the patient's name the photograph's file carries, while the user reads one
// line that says where the details are. A refusal the user can act on is not logged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tintedPhotos } from '../support/sample-photos.js';
import { createWorkstation, type CallerContext } from '../../main/handlers/index.js';
import { importImageFiles, saveMaskVersion } from '../../main/store/index.js';
import { dispatchRequest } from '../../shared/contract.js';

const ctx: CallerContext = { shell: 'browser', sender: 'test' };
const W = 48;

test('a damaged record: the user reads one line, the support log has the stack and no patient name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'retina-support-log-'));
  const logFile = join(dir, 'logs', 'retina.log');
  const ws = await createWorkstation({ dbPath: join(dir, 'study.db'), shell: 'browser', logFile });
  try {
    const [photo] = await tintedPhotos(dir, ['Jane_Doe_left_eye'], W);
    const [{ imageId }] = (await importImageFiles(ws.store, [{ imagePath: photo }], { actor: 'ann' }))
      .imported;
    const v = await saveMaskVersion(ws.store, {
      imageId,
      kind: 'draft',
      author: 'ann',
      mask: { width: W, height: W, data: new Uint8Array(W * W).fill(1) },
    });

    const refused = await dispatchRequest(ws.handlers, 'getMasks', { imageId: '999' }, ctx);
    assert.equal(refused.ok, false);
    assert.equal(existsSync(logFile), false, 'a refusal (no such image) is not a failure to log');

    const raw = new Database(join(dir, 'study.db'));
    raw.exec('DROP TRIGGER mask_versions_immutable_update');
    raw.prepare('UPDATE mask_versions SET anatomy = ? WHERE id = ?').run('Jane Doe', v.id);
    raw.close();
    const r = await dispatchRequest(ws.handlers, 'getMasks', { imageId: String(imageId) }, ctx);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error.code, 'internal');
    assert.equal(r.error.message.split('\n').length, 1);
    assert.ok(r.error.message.includes(logFile), r.error.message);
    assert.doesNotMatch(r.error.message, /\n\s+at /);

    const log = readFileSync(logFile, 'utf8');
    assert.match(log, /unexpected error in getMasks: /);
    assert.match(log, /\n\s+at .+:\d+:\d+/, 'the stack is there');
    assert.doesNotMatch(log, /Jane|Doe/i);
  } finally {
    await ws.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
