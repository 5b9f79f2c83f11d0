// The viewer's History on a real study: an image edited all day keeps its import and approval in view (a run of one
// person's autosaved drafts is one entry), in order, in words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tintedPhotos } from '../support/sample-photos.js';
import { getImageHistory } from '../../main/handlers/history.js';
import { importImageFiles, openStore, saveMaskVersion } from '../../main/store/index.js';

const W = 64;

test('a day of drafts folds into one line per person; import and approval stay in view', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'retina-history-'));
  const store = openStore(join(dir, 'study.db'));
  try {
    const [photo] = await tintedPhotos(dir, ['photo'], W);
    const [{ imageId }] = (await importImageFiles(store, [{ imagePath: photo }], { actor: 'importer' }))
      .imported;
    const mask = (n: number) => ({
      width: W,
      height: W,
      data: Uint8Array.from({ length: W * W }, (_, i) => (i % W < n ? 1 : 0)),
    });
    let parent: number | null = null;
    const save = async (kind: 'draft' | 'approved', author: string, n: number) => {
      parent = (await saveMaskVersion(store, { imageId, kind, author, mask: mask(n % W), parentId: parent }))
        .id;
    };
    for (let i = 0; i < 40; i++) await save('draft', 'ann', i);
    await save('approved', 'rev', 41);
    await save('draft', 'bo', 42);
    const { entries, cut } = getImageHistory(store, String(imageId));
    assert.equal(cut, false);
    assert.deepEqual(
      entries.map((e) => `${e.actor} ${e.words}`),
      [
        'importer imported the photograph',
        'ann saved 40 drafts',
        'rev approved the mask',
        'bo saved a draft',
      ],
    );
    assert.ok(entries[1].until && entries[1].until >= entries[1].at);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an adjudication names whose reading was approved as it was; a reviewer's own edit does not", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'retina-history-'));
  const store = openStore(join(dir, 'study.db'));
  try {
    const photos = await tintedPhotos(dir, ['read-twice', 'edited'], W);
    const ids = (
      await importImageFiles(
        store,
        photos.map((imagePath) => ({ imagePath })),
        { actor: 'rita' },
      )
    ).imported.map((i) => i.imageId);
    const mask = (n: number) => ({
      width: W,
      height: W,
      data: Uint8Array.from({ length: W * W }, (_, i) => (i % W < n ? 1 : 0)),
    });
    const wordsOf = async (imageId: number, approvedPixels: number) => {
      const anna = await saveMaskVersion(store, { imageId, kind: 'draft', author: 'anna', mask: mask(10) });
      const otto = await saveMaskVersion(store, { imageId, kind: 'draft', author: 'otto', mask: mask(12) });
      assert.ok(anna.id < otto.id);
      await saveMaskVersion(store, {
        imageId,
        kind: 'approved',
        author: 'rita',
        mask: mask(approvedPixels),
        parentId: otto.id,
      });
      return getImageHistory(store, String(imageId)).entries.map((e) => `${e.actor} ${e.words}`);
    };
    assert.deepEqual(await wordsOf(ids[0], 12), [
      'rita imported the photograph',
      'anna saved a draft',
      'otto saved a draft',
      "rita approved otto's draft (version 2) as it was",
    ]);
    assert.equal((await wordsOf(ids[1], 20)).at(-1), 'rita approved the mask');
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
