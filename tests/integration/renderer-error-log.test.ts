// A renderer's failure reported through the contract (reportRendererError) lands in the support log with its
// stack's code locations, without what the page's message quotes of a patient, and without anything else a page
// could put in a "stack"; a page that reports in a loop fills no disk (rate-limited), and an oversized report is
// refused by the contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkstation, type CallerContext } from '../../main/handlers/index.js';
import { RATE_LIMIT } from '../../main/handlers/renderer-errors.js';
import { dispatchRequest, RENDERER_ERROR_STACK_MAX } from '../../shared/contract.js';

const ctx: CallerContext = { shell: 'browser', sender: 'test' };

test('a renderer error report: logged scrubbed with its code locations, rate-limited, size-capped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'retina-renderer-log-'));
  const logFile = join(dir, 'logs', 'retina.log');
  const ws = await createWorkstation({ dbPath: join(dir, 'study.db'), shell: 'browser', logFile });
  try {
    const stack = [
      "TypeError: Cannot read properties of undefined (reading 'Jane Doe')",
      '    at drawMask (http://127.0.0.1:5173/assets/index-abc.js:12:345)',
      '    at http://127.0.0.1:5173/assets/index-abc.js:1:2',
      '    at Jane Doe, born 1950-01-01 (left eye)',
    ].join('\n');
    const r = await dispatchRequest(
      ws.handlers,
      'reportRendererError',
      {
        where: 'view',
        name: 'TypeError',
        message: "Cannot read properties of undefined (reading 'Jane Doe')",
        stack,
      },
      ctx,
    );
    assert.deepEqual(r, { ok: true, value: { logFile } });
    const log = readFileSync(logFile, 'utf8');
    assert.match(log, /unexpected error in the renderer \(a view\): TypeError: /);
    assert.match(log, /\n\s+at drawMask \(http:\/\/127\.0\.0\.1:5173\/assets\/index-abc\.js:12:345\)/);
    assert.match(log, /\n\s+at http:\/\/127\.0\.0\.1:5173\/assets\/index-abc\.js:1:2/);
    assert.doesNotMatch(log, /Jane|Doe|1950/);

    const big = await dispatchRequest(
      ws.handlers,
      'reportRendererError',
      { where: 'unhandled', name: 'Error', message: 'x', stack: 'y'.repeat(RENDERER_ERROR_STACK_MAX + 1) },
      ctx,
    );
    assert.equal(big.ok, false, 'an oversized report is refused');

    const answers: (string | null)[] = [];
    for (let i = 0; i < RATE_LIMIT + 5; i++) {
      const a = await dispatchRequest(
        ws.handlers,
        'reportRendererError',
        { where: 'unhandled', name: 'Error', message: `loop ${i}`, stack: null },
        ctx,
      );
      assert.ok(a.ok);
      if (a.ok) answers.push((a.value as { logFile: string | null }).logFile);
    }
    assert.equal(answers.filter((f) => f === logFile).length, RATE_LIMIT - 1);
    assert.equal(
      readFileSync(logFile, 'utf8').match(/unexpected error in the renderer/g)?.length,
      RATE_LIMIT,
    );
  } finally {
    await ws.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
