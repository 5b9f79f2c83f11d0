// A two-reader image that loses one of its readers, on both store backends: the reader left reads on blind. Taken
// off (by the reviewer, or because the other's account was disabled and so cannot be assigned again), the image
// had one assignee and stopped being read blind, so the remaining reader's viewer, worklist and measures showed the
// other reader's draft: their reading was no longer independent.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_BACKENDS } from '../support/store-backends.js';
import { useTwoReaderImage } from '../support/two-readers.js';
import { disableUser } from '../../main/store/index.js';

for (const kind of STORE_BACKENDS)
  for (const how of ['removed', 'disabled'] as const)
    describe(`a reader left alone on a two-reader image stays blind (${kind}, other reader ${how})`, () => {
      const image = useTwoReaderImage(kind, `blind-left-${how}`, '03');
      const { anna, otto, rita } = image;
      let id: string;
      let ottoMask: Uint8Array;
      before(() => {
        id = image.id;
        // Otto traces a few vessels less than anna: what he is shown tells whose draft it is.
        ottoMask = image.mask.mask.map((v, i) => (i % 7 === 0 ? 0 : v));
      });

      test("otto is shown his own reading, not anna's, once anna is off the image", async () => {
        await otto('saveDraft', {
          imageId: id,
          ...image.mask,
          mask: ottoMask,
          parentVersionId: null,
          clientId: 'otto-window',
        });
        // Anna saves after him: her draft is the image's newest.
        await anna('saveDraft', {
          imageId: id,
          ...image.mask,
          parentVersionId: null,
          clientId: 'anna-window',
        });

        if (how === 'disabled') {
          disableUser(image.store, 'anna', 'admin');
          assert.equal((await otto('getMasks', { imageId: id })).draft?.author, 'otto');
          // Her account disabled, she cannot be assigned again: the reviewer's next assignment leaves her out.
          await assert.rejects(
            rita('assignImages', { imageIds: [id], users: ['anna', 'otto'] }),
            /anna is disabled/,
          );
        }
        await rita('assignImages', { imageIds: [id], users: ['otto'] });
        const masks = await otto('getMasks', { imageId: id });
        assert.equal(masks.draft?.author, 'otto', "otto's viewer shows his own draft");
        const row = (await otto('listImages', { offset: 0, limit: 10 })).items[0];
        const info = await otto('getImageInfo', { imageId: id });
        assert.deepEqual([row.status, info.status, masks.review.status], ['draft', 'draft', 'draft']);
        assert.equal(row.updatedAt, info.updatedAt);
        assert.equal(masks.draft?.createdAt, info.updatedAt, "dated by his own draft, not anna's newer one");
        // He goes on from his own draft: saving on it is no stale save over anna's.
        const saved = await otto('saveDraft', {
          imageId: id,
          ...image.mask,
          mask: ottoMask,
          parentVersionId: masks.draft?.versionId ?? null,
          clientId: 'otto-window',
        });
        assert.equal(saved.status, 'draft');
        assert.equal((await otto('getMasks', { imageId: id })).draft?.author, 'otto');
      });
    });
