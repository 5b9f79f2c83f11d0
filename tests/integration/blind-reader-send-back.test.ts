// A send-back of a two-reader image, on both store backends: each blind reader keeps the reviewer's comment until
// they themselves resubmit. The image's one hand-off became the first resubmitter's, so the slower reader lost the
// comment (no banner, nothing to say what to fix) and was, in effect, told the other reader had resubmitted.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_BACKENDS } from '../support/store-backends.js';
import {
  handoffSeenBy as seenHandoff,
  useTwoReaderImage,
  type PersonCaller,
} from '../support/two-readers.js';

const COMMENT = 'the inferior arcade is traced short of the disc: follow it in';

for (const kind of STORE_BACKENDS)
  describe(`each blind reader keeps their own send-back (${kind})`, () => {
    const image = useTwoReaderImage(kind, 'blind-send-back', '02');
    const { anna, otto, rita } = image;
    let id: string;
    let mask: typeof image.mask;
    before(() => {
      ({ id, mask } = image);
    });

    const handoffSeenBy = (call: PersonCaller) => seenHandoff(call, id);

    /** A reader saves on from their own latest draft. */
    async function save(call: typeof anna, who: string) {
      const own = (await call('getMasks', { imageId: id })).draft;
      await call('saveDraft', {
        imageId: id,
        ...mask,
        parentVersionId: own?.versionId ?? null,
        clientId: `${who}-window`,
      });
    }

    test("anna's resubmission leaves otto the reviewer's comment, and tells him nothing of hers", async () => {
      for (const [call, who] of [
        [anna, 'anna'],
        [otto, 'otto'],
      ] as const) {
        await save(call, who);
        await call('submitForReview', { imageId: id });
      }
      await rita('sendBack', { imageId: id, comment: COMMENT });
      const sentBack = await handoffSeenBy(otto);
      assert.equal(sentBack?.state, 'needs-work');
      assert.equal(sentBack?.comment, COMMENT);
      assert.equal(sentBack?.by, 'rita');
      assert.deepEqual(await handoffSeenBy(anna), sentBack);

      // Anna fixes hers and resubmits first.
      await save(anna, 'anna');
      await anna('submitForReview', { imageId: id });
      assert.deepEqual(
        [(await handoffSeenBy(anna))?.state, (await handoffSeenBy(anna))?.by],
        ['awaiting-review', 'anna'],
      );
      // Otto is told exactly what he was before: the comment stands, and nothing says anna resubmitted.
      assert.deepEqual(await handoffSeenBy(otto), sentBack);
      // ... and the pen is still his.
      const lease = await otto('acquireEditLease', { imageId: id, clientId: 'otto-window' });
      assert.equal(lease.heldBack ?? null, null);
      // The reviewer is told of the image's hand-off: anna's resubmission.
      assert.deepEqual(
        [(await handoffSeenBy(rita))?.state, (await handoffSeenBy(rita))?.by],
        ['awaiting-review', 'anna'],
      );

      // Otto answers it: now his own submission is what he is told of, and anna's stays hers.
      await save(otto, 'otto');
      await otto('submitForReview', { imageId: id });
      const ottos = await handoffSeenBy(otto);
      assert.deepEqual([ottos?.state, ottos?.by, ottos?.comment], ['awaiting-review', 'otto', null]);
      assert.deepEqual((await handoffSeenBy(anna))?.by, 'anna');
      assert.deepEqual((await handoffSeenBy(rita))?.by, 'otto');
    });

    test('sent back again, then approved: the readers are told of the new comment, then of nothing', async () => {
      await rita('sendBack', { imageId: id, comment: 'the disc margin, once more' });
      for (const reader of [anna, otto])
        assert.equal((await handoffSeenBy(reader))?.comment, 'the disc margin, once more');
      await save(otto, 'otto');
      await otto('submitForReview', { imageId: id });
      assert.equal((await handoffSeenBy(anna))?.comment, 'the disc margin, once more');

      const { readers } = await rita('getReaders', { imageId: id });
      const ottos = readers.find((r) => r.name === 'otto')?.draft;
      assert.ok(ottos);
      await rita('approveMask', { imageId: id, ...mask, parentVersionId: ottos.versionId });
      // The approval settles anna's unanswered send-back as well as the image's hand-off.
      for (const reader of [anna, otto, rita]) assert.equal(await handoffSeenBy(reader), null);
    });
  });
