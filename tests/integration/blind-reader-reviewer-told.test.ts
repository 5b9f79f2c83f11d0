// The reviewer of a two-reader image, on both store backends, is told which reader has not answered a send-back.
// Once one reader resubmitted, the reviewer's worklist row and viewer said only "submitted for review by anna", as
// if the image simply waited for review, while otto's reading was still sent back and not resubmitted.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_BACKENDS } from '../support/store-backends.js';
import {
  handoffSeenBy as seenHandoff,
  saveOwnAndSubmit,
  useTwoReaderImage,
  type PersonCaller,
} from '../support/two-readers.js';

for (const kind of STORE_BACKENDS)
  describe(`the reviewer is told of a reader's unanswered send-back (${kind})`, () => {
    const image = useTwoReaderImage(kind, 'blind-reviewer-told', '04');
    const { anna, otto, rita } = image;
    let id: string;
    before(() => {
      id = image.id;
    });

    const handoffSeenBy = (call: PersonCaller) => seenHandoff(call, id);

    const saveAndSubmit = (who: 'anna' | 'otto') => saveOwnAndSubmit(image, who);

    test('after anna resubmits, the reviewer is told that otto has not: and neither reader is told of the other', async () => {
      await saveAndSubmit('anna');
      await saveAndSubmit('otto');
      assert.equal((await handoffSeenBy(rita))?.sentBackTo, undefined, 'nothing is sent back yet');
      await rita('sendBack', { imageId: id, comment: 'the arcades stop short of the disc' });
      const both = await handoffSeenBy(rita);
      assert.deepEqual([both?.state, both?.sentBackTo], ['needs-work', ['anna', 'otto']]);

      await saveAndSubmit('anna');
      const seen = await handoffSeenBy(rita);
      assert.deepEqual(
        [seen?.state, seen?.by, seen?.sentBackTo],
        ['awaiting-review', 'anna', ['otto']],
        "the reviewer is told otto's reading is still sent back",
      );
      // Blind: a reader is told only of their own reading.
      assert.equal((await handoffSeenBy(anna))?.sentBackTo, undefined);
      assert.equal((await handoffSeenBy(otto))?.sentBackTo, undefined);

      await saveAndSubmit('otto');
      const answered = await handoffSeenBy(rita);
      assert.deepEqual(
        [answered?.state, answered?.by, answered?.sentBackTo],
        ['awaiting-review', 'otto', undefined],
      );
    });
  });
