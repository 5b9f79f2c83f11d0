// A blind reader's own reading, on both store backends: where an image is read by two annotators, what one of them is
// told of its state (worklist row and status filter, the image's summary, the viewer's masks) comes from their own
// drafts and hand-off, never from the other reader's; and a reader submits only a reading of their own.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_BACKENDS } from '../support/store-backends.js';
import { useTwoReaderImage } from '../support/two-readers.js';

for (const kind of STORE_BACKENDS)
  describe(`a blind reader is told of their own reading (${kind})`, () => {
    const image = useTwoReaderImage(kind, 'blind-status', '01');
    const { anna, otto, rita } = image;
    let id: string;
    let mask: typeof image.mask;
    before(() => {
      ({ id, mask } = image);
    });

    /** Everything a reader is told of the image's state, as one comparable record. */
    async function seenBy(call: typeof anna) {
      const row = (await call('listImages', { offset: 0, limit: 10 })).items[0];
      const info = await call('getImageInfo', { imageId: id });
      const masks = await call('getMasks', { imageId: id });
      const filtered = async (status: string) =>
        (await call('listImages', { offset: 0, limit: 10, status: [status] })).total;
      return {
        row: row.status,
        info: info.status,
        viewer: masks.review.status,
        draftFilter: await filtered('draft'),
        newFilter: await filtered('new'),
        handoff: [row.handoff?.by ?? null, info.handoff?.by ?? null, masks.review.handoff?.by ?? null],
      };
    }

    test("anna's draft and submission are not otto's: his image is still new, and he cannot submit it", async () => {
      await anna('saveDraft', { imageId: id, ...mask, parentVersionId: null, clientId: 'anna-window' });
      await anna('submitForReview', { imageId: id });

      assert.deepEqual(await seenBy(otto), {
        row: 'new',
        info: 'new',
        viewer: 'new',
        draftFilter: 0,
        newFilter: 1,
        handoff: [null, null, null],
      });
      // Anna is told of hers; the reviewer of the image's.
      const annas = { row: 'draft', info: 'draft', viewer: 'draft', draftFilter: 1, newFilter: 0 };
      assert.deepEqual(await seenBy(anna), { ...annas, handoff: ['anna', 'anna', 'anna'] });
      assert.deepEqual(await seenBy(rita), { ...annas, handoff: ['anna', 'anna', 'anna'] });

      // Nothing of his own to hand over: refused, and anna's submission stands.
      await assert.rejects(otto('submitForReview', { imageId: id }), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'conflict');
        assert.match(e.message, /no draft of your own/);
        return true;
      });
      assert.equal((await rita('getImageInfo', { imageId: id })).handoff?.by, 'anna');

      // His own reading, saved and submitted, is his to see.
      const saved = await otto('saveDraft', {
        imageId: id,
        ...mask,
        parentVersionId: null,
        clientId: 'otto-window',
      });
      assert.deepEqual([saved.status, saved.review.handoff ?? null], ['draft', null]);
      await otto('submitForReview', { imageId: id });
      assert.deepEqual((await seenBy(otto)).handoff, ['otto', 'otto', 'otto']);
      // Anna's submission is still hers to be told of, though the image's last hand-off is otto's.
      assert.deepEqual((await seenBy(anna)).handoff, ['anna', 'anna', 'anna']);
    });

    test('adjudicated, the image is approved for both readers; reopened, each goes on from their own draft', async () => {
      const { readers } = await rita('getReaders', { imageId: id });
      const ottos = readers.find((r) => r.name === 'otto')?.draft;
      assert.ok(ottos);
      await rita('approveMask', { imageId: id, ...mask, parentVersionId: ottos.versionId });
      for (const reader of [anna, otto]) assert.equal((await seenBy(reader)).viewer, 'approved');

      await rita('reopenMask', { imageId: id, reason: 'the disc margin needs both readers again' });
      for (const [name, reader] of [
        ['anna', anna],
        ['otto', otto],
      ] as const) {
        const seen = await seenBy(reader);
        assert.deepEqual([seen.row, seen.info, seen.viewer], ['draft', 'draft', 'draft'], name);
        const own = (await reader('getMasks', { imageId: id })).draft;
        assert.equal(own?.author, name);
        // ... and saves on from it.
        const clientId = `${name}-window-again`;
        const saved = await reader('saveDraft', {
          imageId: id,
          ...mask,
          parentVersionId: own?.versionId,
          clientId,
        });
        assert.equal(saved.status, 'draft');
      }
    });
  });
