// What older drafts hold, on both backends: the autosaved steps before an image's newest draft, less any file a
// newer version or a kept draft shares.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tintedPhotos } from '../support/sample-photos.js';
import { STORE_BACKENDS, useStoreBackend } from '../support/store-backends.js';
import { createTeamJob, importImageFiles, saveMaskVersion, storageOf } from '../../main/store/index.js';
import { blobPath, putBlob, sha256 } from '../../main/store/file-store.js';

const W = 64;

for (const kind of STORE_BACKENDS) {
  describe(`study size (${kind})`, () => {
    const backend = useStoreBackend(kind);
    test('older drafts are counted apart, a file shared with the approval is not theirs', async () => {
      const store = backend.open('size');
      try {
        const [photo] = await tintedPhotos(backend.dir, [`photo-${kind}`], W);
        const [{ imageId }] = (await importImageFiles(store, [{ imagePath: photo }], { actor: 'ann' }))
          .imported;
        const data = new Uint8Array(W * W);
        const save = (kind: 'draft' | 'approved', parentId: number | null) =>
          saveMaskVersion(store, {
            imageId,
            kind,
            author: 'ann',
            mask: { width: W, height: W, data },
            parentId,
          });
        const first = await save('draft', null);
        data.fill(1, 0, W);
        const second = await save('draft', first.id);
        const approved = await save('approved', second.id); // shares the second draft's file
        data.fill(1, W, 2 * W);
        const third = await save('draft', approved.id);
        const s = storageOf(store);
        assert.equal(s.olderDrafts, 2);
        assert.equal(s.olderDraftFiles, 1);
        assert.equal(s.olderDraftBytes, statSync(blobPath(store, first.pngHash)).size);
        assert.equal(kind === 'sqlite', s.databaseBytes !== null);
        assert.ok(s.fileBytes > statSync(blobPath(store, third.pngHash)).size);
        assert.equal(s.unreferencedFiles, 0);
      } finally {
        store.close();
      }
    });

    test("a killed import's half-written file is counted as one no record refers to", async () => {
      const store = backend.open('killed');
      try {
        const [photo, other] = await tintedPhotos(backend.dir, [`kept-${kind}`, `cut-${kind}`], W);
        await importImageFiles(store, [{ imagePath: photo }], { actor: 'ann' });
        assert.equal(storageOf(store).unreferencedFiles, 0);
        // What FolderBlobStore.put leaves when its process is killed between writing and renaming.
        const bytes = readFileSync(other);
        const fan = join(store.filesDir, sha256(bytes).slice(0, 2));
        mkdirSync(fan, { recursive: true });
        const half = bytes.subarray(0, bytes.length >> 1);
        writeFileSync(join(fan, '.tmp-4194000-0123456789ab'), half);
        const s = storageOf(store);
        assert.equal(s.unreferencedFiles, 1);
        assert.equal(s.unreferencedBytes, half.length);
      } finally {
        store.close();
      }
    });

    test("a queued team job's uploaded file is the job's, not one no record refers to", async () => {
      const store = backend.open('queued');
      try {
        const [photo] = await tintedPhotos(backend.dir, [`queued-${kind}`], W);
        // What the team server stores for an import a worker has not picked up yet.
        const hash = await putBlob(store, readFileSync(photo));
        createTeamJob(store, {
          id: `queued-import-${kind}`,
          kind: 'import',
          actor: 'ann',
          spec: { files: [{ name: 'queued.png', hash }] },
          total: 1,
        });
        const s = storageOf(store);
        assert.equal(s.unreferencedFiles, 0);
        assert.equal(s.files, 1);
      } finally {
        store.close();
      }
    });
  });
}
