// A blind reader sent back twice before resubmitting, on both store backends: they are told both comments. Their own
// send-back kept only the newest, so a reader who had not yet fixed what the first asked for lost it from the banner
// (the second comment is often "and also ..."): the earlier ones they have not answered now stay with it.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_BACKENDS } from '../support/store-backends.js';
import {
  handoffSeenBy as seenHandoff,
  saveOwnAndSubmit,
  sendBackComments,
  useTwoReaderImage,
  type PersonCaller,
} from '../support/two-readers.js';

const FIRST = 'the arcades stop short of the disc';
const SECOND = 'and the macular branches are missing';
const THIRD = 'the disc margin, once more';

for (const kind of STORE_BACKENDS)
  describe(`a reader sent back twice keeps both comments (${kind})`, () => {
    const image = useTwoReaderImage(kind, 'blind-sent-back-twice', '05');
    const { anna, otto, rita } = image;
    let id: string;
    before(() => {
      id = image.id;
    });

    const handoffSeenBy = (call: PersonCaller) => seenHandoff(call, id);
    const comments = (call: PersonCaller) => sendBackComments(call, id);

    const saveAndSubmit = (who: 'anna' | 'otto') => saveOwnAndSubmit(image, who);

    test('each reader is told every send-back they have not answered, oldest first', async () => {
      await saveAndSubmit('anna');
      await saveAndSubmit('otto');
      await rita('sendBack', { imageId: id, comment: FIRST });
      await rita('sendBack', { imageId: id, comment: SECOND });
      for (const reader of [anna, otto])
        assert.deepEqual(await comments(reader), [`rita: ${FIRST}`, `rita: ${SECOND}`]);

      // Anna answers both; sent back once more, she is told of that one only, and otto of all three.
      await saveAndSubmit('anna');
      await rita('sendBack', { imageId: id, comment: THIRD });
      assert.deepEqual(await comments(anna), [`rita: ${THIRD}`]);
      assert.deepEqual(await comments(otto), [`rita: ${FIRST}`, `rita: ${SECOND}`, `rita: ${THIRD}`]);

      // Answered, nothing is left of them; approved, nobody is told of any.
      await saveAndSubmit('otto');
      assert.deepEqual(
        [(await handoffSeenBy(otto))?.state, (await handoffSeenBy(otto))?.earlier],
        ['awaiting-review', undefined],
      );
      assert.deepEqual(await comments(anna), [`rita: ${THIRD}`]);
      const { readers } = await rita('getReaders', { imageId: id });
      const ottos = readers.find((r) => r.name === 'otto')?.draft;
      assert.ok(ottos);
      await rita('approveMask', { imageId: id, ...image.mask, parentVersionId: ottos.versionId });
      for (const reader of [anna, otto, rita]) assert.equal(await handoffSeenBy(reader), null);
    });
  });
