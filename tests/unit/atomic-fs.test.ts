// Atomic writes on real files: a write the machine refuses names the file it was writing and why, keeps the
// system's code, and leaves neither the target nor a temporary behind; a model folder that fails inside is
// reported by the file that failed, once; a photograph's outputs appear together or not at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileGroup, WriteFailure, writeDirAtomic, writeFileAtomic } from '../../main/node/atomic-fs.js';

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-atomic-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a file written atomically is whole, and replaces the old one', async () => {
  await withDir(async (dir) => {
    const target = path.join(dir, 'out', 'eye_mask.png');
    await writeFileAtomic(target, 'first');
    await writeFileAtomic(target, 'second');
    assert.deepEqual(await readdir(path.dirname(target)), ['eye_mask.png']);
  });
});

test("a name near the file system's limit is written: its temporary is named shorter, not refused", async () => {
  await withDir(async (dir) => {
    // 250 bytes, two-byte letters among them: fits (255), where the temporary's additions would not.
    const name = `${'é'.repeat(20)}${'a'.repeat(200)}_prob.png`;
    assert.equal(Buffer.byteLength(name), 249);
    const target = path.join(dir, name);
    await writeFileAtomic(target, 'first');
    await writeFileAtomic(target, 'second');
    assert.deepEqual(await readdir(dir), [name]);
    assert.equal(await readFile(target, 'utf8'), 'second');
  });
});

test('a refused write names its file and the reason, keeps the code, and leaves nothing behind', async () => {
  await withDir(async (dir) => {
    const file = path.join(dir, 'results');
    await writeFile(file, 'a file where a folder was meant');
    const target = path.join(file, 'eye_prob.png');
    const err = await writeFileAtomic(target, 'x').then(
      () => assert.fail('the write went through a file'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WriteFailure);
    // mkdir says EEXIST for the file in the way of its folder.
    assert.equal(err.code, 'EEXIST');
    assert.equal(err.message, `cannot write ${target}: part of the path is a file, not a folder (EEXIST)`);
    assert.deepEqual(await readdir(dir), ['results']);
  });
});

test('a folder whose filling fails inside is reported by the file that failed, and is not left', async () => {
  await withDir(async (dir) => {
    const target = path.join(dir, 'model');
    const inner = await writeDirAtomic(target, async (tmp) => {
      await writeFile(path.join(tmp, 'weights'), 'not a folder');
      await writeFileAtomic(path.join(tmp, 'weights', 'shard.bin'), 'x');
    }).then(
      () => assert.fail('the filling went through a file'),
      (e: unknown) => e,
    );
    assert.ok(inner instanceof WriteFailure);
    assert.match(inner.message, /^cannot write \S+weights\/shard\.bin: part of the path is a file/);
    assert.deepEqual(await readdir(dir), [], 'no model folder and no temporary');
  });
});

test('errors that are no refusal of the machine pass through as they are', async () => {
  await withDir(async (dir) => {
    const boom = new Error('export failed');
    await assert.rejects(
      writeDirAtomic(path.join(dir, 'model'), async () => {
        throw boom;
      }),
      (e) => e === boom,
    );
  });
});

/** The files of a folder with their contents, temporaries included. */
async function contents(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir)).sort()) out[f] = await readFile(path.join(dir, f), 'utf8');
  return out;
}

test('a file group appears whole once every file is written', async () => {
  await withDir(async (dir) => {
    const group = new FileGroup();
    group.write(path.join(dir, 'eye_mask.png'), 'mask');
    group.write(path.join(dir, 'eye_prob.png'), Promise.resolve('prob'));
    await group.commit();
    assert.deepEqual(await contents(dir), { 'eye_mask.png': 'mask', 'eye_prob.png': 'prob' });
  });
});

test('a file group with one failed file leaves the earlier set as it was, and no temporary', async () => {
  await withDir(async (dir) => {
    await writeFile(path.join(dir, 'eye_mask.png'), 'old mask');
    await writeFile(path.join(dir, 'eye_prob.png'), 'old prob');
    const group = new FileGroup();
    group.write(path.join(dir, 'eye_mask.png'), 'new mask');
    group.write(path.join(dir, 'eye_prob.png'), Promise.reject(new Error('encoder failed')));
    await assert.rejects(group.commit(), /encoder failed/);
    assert.deepEqual(await contents(dir), { 'eye_mask.png': 'old mask', 'eye_prob.png': 'old prob' });

    // A file the machine refuses (its folder is a file) fails the group the same way, named.
    await writeFile(path.join(dir, 'blocked'), '');
    const refused = new FileGroup();
    refused.write(path.join(dir, 'eye_mask.png'), 'new mask');
    refused.write(path.join(dir, 'blocked', 'eye_av.png'), 'av');
    await assert.rejects(refused.commit(), (e) => e instanceof WriteFailure && /eye_av\.png/.test(e.message));
    assert.equal((await contents(dir))['eye_mask.png'], 'old mask');
  });
});

test('a file group discarded after its caller failed leaves nothing, even with writes in flight', async () => {
  await withDir(async (dir) => {
    await mkdir(path.join(dir, 'out'));
    const group = new FileGroup();
    let finish: (v: string) => void = () => undefined;
    group.write(path.join(dir, 'out', 'eye_mask.png'), 'mask');
    group.write(path.join(dir, 'out', 'eye_prob.png'), new Promise<string>((r) => (finish = r)));
    const discarded = group.discard();
    finish('prob');
    await discarded;
    assert.deepEqual(await readdir(path.join(dir, 'out')), []);
  });
});
