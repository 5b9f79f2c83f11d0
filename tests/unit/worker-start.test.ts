import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { startWorker } from '../../main/node/worker-start.js';

describe('startWorker', () => {
  test('runs a worker entry named as its .js module from the TypeScript sources, with its workerData', async () => {
    const data = { spec: { kind: 'predict', imageIds: [1, 2] }, flag: new SharedArrayBuffer(4) };
    const worker = startWorker(new URL('./echo-worker.js', import.meta.url), data);
    try {
      const [reply] = (await once(worker, 'message')) as [{ echo: typeof data }];
      assert.deepEqual(reply.echo.spec, data.spec);
      assert.ok(reply.echo.flag instanceof SharedArrayBuffer);
    } finally {
      await worker.terminate();
    }
  });

  test('refuses an entry that is not a .js module URL', () => {
    assert.throws(() => startWorker(new URL('./echo-worker.ts', import.meta.url)), /\.js module URL/);
  });
});
