// An image with one reader sent back twice before she resubmits, on both store backends: she is told both comments.
// The image's one hand-off kept only the newest comment, so the reader lost from the banner what the first send-back
// asked for (the History kept both); the send-backs she has not answered now stay with it, as a blind reader's do.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_BACKENDS } from '../support/store-backends.js';
import {
  handoffSeenBy as seenHandoff,
  saveOwnAndSubmit,
  sendBackComments,
  useTeamImage,
  type PersonCaller,
} from '../support/two-readers.js';

const FIRST = 'the arcades stop short of the disc';
const SECOND = 'and the macular branches are missing';
const THIRD = 'the disc margin, once more';

for (const kind of STORE_BACKENDS)
  describe(`a single reader sent back twice keeps both comments (${kind})`, () => {
    const image = useTeamImage(kind, 'single-sent-back-twice', '06', ['anna']);
    const { anna, rita } = image;
    let id: string;
    before(() => {
      id = image.id;
    });

    const handoffSeenBy = (call: PersonCaller) => seenHandoff(call, id);
    const comments = (call: PersonCaller) => sendBackComments(call, id);

    const saveAndSubmit = () => saveOwnAndSubmit(image, 'anna');

    test('she is told every send-back she has not answered, oldest first, until she resubmits', async () => {
      await saveAndSubmit();
      await rita('sendBack', { imageId: id, comment: FIRST });
      await rita('sendBack', { imageId: id, comment: SECOND });
      for (const person of [anna, rita])
        assert.deepEqual(await comments(person), [`rita: ${FIRST}`, `rita: ${SECOND}`]);

      // She answers both; sent back once more, she is told of that one only.
      await saveAndSubmit();
      assert.deepEqual(
        [(await handoffSeenBy(anna))?.state, (await handoffSeenBy(anna))?.earlier],
        ['awaiting-review', undefined],
      );
      await rita('sendBack', { imageId: id, comment: THIRD });
      assert.deepEqual(await comments(anna), [`rita: ${THIRD}`]);

      // Resubmitted and approved, nobody is told of any.
      await saveAndSubmit();
      const draft = (await rita('getMasks', { imageId: id })).draft;
      assert.ok(draft);
      await rita('approveMask', { imageId: id, ...image.mask, parentVersionId: draft.versionId });
      for (const person of [anna, rita]) assert.equal(await handoffSeenBy(person), null);
    });
  });
