// The loop of `segment` and `measure` over their inputs: a failed input does not stop the others, except a full
// disk, after which every write would fail too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchExit, isFailed, runBatch } from '../../main/cli/batch.js';
import { EXIT } from '../../main/cli/errors.js';

/** Runs `fn` with stderr captured. */
async function quietly<T>(fn: () => Promise<T> | T): Promise<{ value: T; said: string }> {
  const write = process.stderr.write.bind(process.stderr);
  let said = '';
  process.stderr.write = ((s: string) => ((said += s), true)) as typeof process.stderr.write;
  try {
    return { value: await fn(), said };
  } finally {
    process.stderr.write = write;
  }
}

test('a corrupt input fails alone; the others are done', async () => {
  const { value: batch } = await quietly(() =>
    runBatch('segment', ['a.png', 'b.png', 'c.png'], async (file) => {
      if (file === 'b.png') throw new Error('PNG corrupt');
      return file;
    }),
  );
  assert.equal(batch.results.length, 3);
  assert.equal(batch.failures, 1);
  assert.ok(isFailed(batch.results[1]));
  assert.equal((await quietly(() => batchExit(batch))).value, EXIT.failure);
});

test('a full disk stops the batch at once, and the summary says how many images were done', async () => {
  const started: string[] = [];
  const { value: batch } = await quietly(() =>
    runBatch('segment', ['a.png', 'b.png', 'c.png', 'd.png'], async (file) => {
      started.push(file);
      if (file === 'b.png')
        throw Object.assign(new Error("ENOSPC: no space left on device, write 'out/b_mask.png'"), {
          code: 'ENOSPC',
        });
      return file;
    }),
  );
  assert.deepEqual(started, ['a.png', 'b.png']);
  assert.equal(batch.diskFull, true);
  assert.equal(batch.interrupted, false);
  const { value: code, said } = await quietly(() => batchExit(batch));
  assert.equal(code, EXIT.failure);
  assert.match(said, /the disk is full: stopped after 1 of 4 images \(2 not started\)/);
});
