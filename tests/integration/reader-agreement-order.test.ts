// The reviewer's Reader agreement on a real study: the images where two readers disagree most come first, so the
// reading that needs adjudicating is found at the top of a long double-read study, not by scanning it in import order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createWorkstation } from '../../main/handlers/index.js';
import { readImage, toBinaryMap } from '../../main/ml/io/image-io.js';
import { datasetsRoot } from '../../main/node/package-root.js';
import {
  createUser,
  importImageFiles,
  openStore,
  saveMaskVersion,
  setAssignees,
} from '../../main/store/index.js';
import { handlerCaller } from '../support/handler-call.js';

const DRIVE_TEST = path.join(datasetsRoot(), 'DRIVE', 'test');

async function observer(which: '1st_manual' | '2nd_manual', n: string) {
  const file = path.join(DRIVE_TEST, which, `${n}_manual${which[0]}.gif`);
  const m = toBinaryMap(await readImage(file));
  return { width: m.width, height: m.height, data: Uint8Array.from(m.data, (v) => (v ? 1 : 0)) };
}

test('the per-image agreement lists the worst-agreeing images first, unscored ones last', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'retina-agreement-'));
  const dbPath = path.join(dir, 'study.db');
  try {
    const store = openStore(dbPath);
    for (const name of ['anna', 'otto'])
      createUser(store, { name, role: 'annotator', passwordHash: 'x' }, 'rita');
    const numbers = ['01', '02', '03'];
    const report = await importImageFiles(
      store,
      numbers.map((n) => ({ imagePath: path.join(DRIVE_TEST, 'images', `${n}_test.tif`) })),
      { actor: 'rita' },
    );
    const ids = report.imported.map((i) => i.imageId);
    setAssignees(store, ids, ['anna', 'otto'], 'rita');
    const draft = async (imageId: number, author: string, mask: Awaited<ReturnType<typeof observer>>) =>
      saveMaskVersion(store, { imageId, kind: 'draft', author, mask });
    // 01: only anna has read it. 02: both drew the same vessels. 03: the two DRIVE observers, who differ.
    await draft(ids[0], 'anna', await observer('1st_manual', '01'));
    await draft(ids[1], 'anna', await observer('1st_manual', '02'));
    await draft(ids[1], 'otto', await observer('1st_manual', '02'));
    await draft(ids[2], 'anna', await observer('1st_manual', '03'));
    await draft(ids[2], 'otto', await observer('2nd_manual', '03'));
    store.close();

    const ws = await createWorkstation({ dbPath, shell: 'browser', user: 'rita' });
    try {
      const { images } = await handlerCaller(() => ws)('getAgreement', {});
      assert.deepEqual(
        images.map((i) => i.fileName),
        ['03_test.tif', '02_test.tif', '01_test.tif'],
      );
      assert.ok(images[0].dice !== null && images[0].dice < 0.9);
      assert.deepEqual([images[1].dice, images[2].dice], [1, null]);
    } finally {
      await ws.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
