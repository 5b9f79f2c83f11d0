// Adopting a kept draft on a two-reader image, on both store backends: a blind reader's line is their own drafts,
// as for their saves, so another reader's later draft neither makes the adoption stale nor is named to them.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readImage, toBinaryMap } from '../../main/ml/io/image-io.js';
import { datasetsRoot } from '../../main/node/package-root.js';
import {
  adoptKeptDraft,
  createUser,
  EditRefusedError,
  importImageFiles,
  openStore,
  saveMaskVersion,
  setAssignees,
  type Store,
} from '../../main/store/index.js';
import { STORE_BACKENDS, useStoreBackend } from '../support/store-backends.js';

const DRIVE_TEST = path.join(datasetsRoot(), 'DRIVE', 'test');

for (const kind of STORE_BACKENDS)
  describe(`a blind reader adopts their kept draft (${kind})`, () => {
    const backend = useStoreBackend(kind);
    let store: Store;
    let imageId: number;

    before(async () => {
      store = openStore(backend.location('adopt-blind'));
      for (const name of ['anna', 'otto'])
        createUser(store, { name, role: 'annotator', passwordHash: 'x' }, 'rita');
      const report = await importImageFiles(
        store,
        [{ imagePath: path.join(DRIVE_TEST, 'images', '01_test.tif') }],
        { actor: 'rita' },
      );
      imageId = report.imported[0].imageId;
      setAssignees(store, [imageId], ['anna', 'otto'], 'rita');
    });
    after(() => store.close());

    test("otto's later draft does not make anna's adoption stale, nor is it named to her", async () => {
      const m = toBinaryMap(await readImage(path.join(DRIVE_TEST, '1st_manual', '01_manual1.gif')));
      const mask = { width: m.width, height: m.height, data: Uint8Array.from(m.data, (v) => (v ? 1 : 0)) };
      const editor = (clientId: string) => ({ clientId, nowMs: Date.now() });
      const save = (author: string, parentId: number | null, clientId: string) =>
        saveMaskVersion(store, { imageId, kind: 'draft', author, mask, parentId, editor: editor(clientId) });
      const annas = await save('anna', null, 'anna-1');
      // Her second window had not seen that save: its stroke is kept aside.
      const refused = await save('anna', null, 'anna-2').then(
        () => assert.fail('a stale save went through'),
        (e: unknown) => e,
      );
      assert.ok(refused instanceof EditRefusedError);
      await save('otto', null, 'otto-1');
      const adopted = adoptKeptDraft(store, {
        keptDraftId: refused.keptDraftId,
        author: 'anna',
        parentId: annas.id,
        clientId: 'anna-2',
        nowMs: Date.now(),
      });
      assert.deepEqual([adopted.author, adopted.parentId], ['anna', annas.id]);
    });
  });
