// A two-reader image that loses one of its readers, seen by the reviewer, on both store backends. Once anna was taken
// off, the reviewer's readers listed only otto and the agreement was gone, while the viewer showed the image's newest
// draft: anna's. The reviewer could approve her reading without knowing whose it was. Anna's reading is now listed
// with otto's, marked as no longer assigned, and the image summary names her, so the viewer keeps its Readers panel.
// The Agreement dropped the image altogether (only one reader assigned now): it keeps it, her reading marked so.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_BACKENDS } from '../support/store-backends.js';
import { useTwoReaderImage } from '../support/two-readers.js';
import { disableUser } from '../../main/store/index.js';

for (const kind of STORE_BACKENDS)
  for (const how of ['removed', 'disabled'] as const)
    describe(`the reviewer still sees a reader taken off a two-reader image (${kind}, ${how})`, () => {
      const image = useTwoReaderImage(kind, `reviewer-left-${how}`, '04');
      const { anna, otto, rita } = image;
      let id: string;
      before(() => {
        id = image.id;
      });

      test("anna's reading stays listed, marked as no longer assigned, and the agreement with it", async () => {
        // Otto traces a few vessels less than anna; she saves after him, so hers is the image's newest draft.
        const ottoMask = image.mask.mask.map((v, i) => (i % 7 === 0 ? 0 : v));
        for (const [call, who, mask] of [
          [otto, 'otto', ottoMask],
          [anna, 'anna', image.mask.mask],
        ] as const)
          await call('saveDraft', {
            ...image.mask,
            imageId: id,
            mask,
            parentVersionId: null,
            clientId: `${who}-window`,
          });
        const before = await rita('getReaders', { imageId: id });

        if (how === 'disabled') disableUser(image.store, 'anna', 'admin');
        await rita('assignImages', { imageIds: [id], users: ['otto'] });

        const shown = (await rita('getMasks', { imageId: id })).draft;
        assert.equal(shown?.author, 'anna', "the viewer shows anna's newest draft");
        const { readers, dice } = await rita('getReaders', { imageId: id });
        assert.deepEqual(
          readers.map((r) => [r.name, r.draft?.versionId, r.removed ?? false]),
          [
            ['anna', shown.versionId, true],
            ['otto', before.readers.find((r) => r.name === 'otto')?.draft?.versionId, false],
          ],
        );
        assert.equal(dice, before.dice, 'the agreement is still given');
        // The reviewer's Agreement keeps the image too, her reading marked the same way, and counts it as hers.
        const agreement = await rita('getAgreement', {});
        assert.deepEqual(
          agreement.images.map((i) => [i.imageId, i.readers, i.formerReaders, i.dice]),
          [[id, ['anna', 'otto'], ['anna'], before.dice]],
        );
        assert.deepEqual(
          agreement.annotators.map((a) => [a.name, a.images, a.meanDice]),
          [
            ['anna', 1, before.dice],
            ['otto', 1, before.dice],
          ],
        );

        // The summary names her, so the viewer knows the image has two readings to compare.
        const row = (await rita('listImages', { offset: 0, limit: 10 })).items[0];
        const info = await rita('getImageInfo', { imageId: id });
        for (const s of [row, info]) assert.deepEqual([s.assignees, s.formerReaders], [['otto'], ['anna']]);
        // Otto, reading blind, is told nothing of her.
        const ottos = await otto('getImageInfo', { imageId: id });
        assert.equal(ottos.formerReaders, undefined);
        // Her reading may still be the one approved, deliberately, from the panel.
        const approved = await rita('approveMask', {
          ...image.mask,
          imageId: id,
          parentVersionId: shown.versionId,
        });
        assert.equal(approved.status, 'approved');
      });
    });
