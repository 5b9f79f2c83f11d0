// The Models screen's words for each task without a browser: held-out scores in the task's measure (F1, A/V
// accuracy, disc centre error in disc diameters) with the image count, and what became of an anatomy task's part of
// a retrain as it stands now (a person's promotion, keep or rollback since changes it).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { AnatomyRetrainPart, ModelSummary, PromotionVerdict } from '../../shared/contract.js';
import {
  heldOutCell,
  heldOutSentence,
  partHeadline,
  partState,
  taskOf,
} from '../../renderer/src/models/taskWords.js';

const model = (over: Partial<ModelSummary> = {}): ModelSummary => ({
  id: '7',
  name: 'anatomy-av+r3',
  status: 'candidate',
  createdAt: '2026-12-03T09:00:00.000Z',
  threshold: 0.5,
  architecture: 'U-Net depth 2, 4 filters',
  metrics: null,
  hasOnnx: true,
  ...over,
});

const verdict = (better: boolean): PromotionVerdict => ({
  better,
  reason: 'A/V accuracy +0.010 (95% interval -0.004 to +0.020) on 3 corrected images',
  promoted: false,
  judged: true,
  advice: null,
  usableImages: 3,
  delta: null,
  benchmarkDelta: null,
});

const judged = (candidate: Partial<ModelSummary>, better: boolean): AnatomyRetrainPart => ({
  task: 'artery-vein',
  outcome: 'judged',
  reason: null,
  runId: '3',
  parent: { id: '2', name: 'anatomy-av' },
  candidate: model(candidate),
  heldOut: { measure: 'av-accuracy', candidate: 0.91234, parent: 0.9, images: 3 },
  decision: verdict(better),
});

describe('models by task, in words', () => {
  test("a model from a server without tasks is a vessel model; each task's scores in its own measure", () => {
    assert.equal(taskOf(model()), 'vessel');
    assert.equal(taskOf(model({ task: 'optic-disc' })), 'optic-disc');
    assert.equal(
      heldOutCell(model({ heldOut: { f1: 0.81234, parentF1: 0.8, images: 1 } })),
      '0.8123 (0.8000, 1 image)',
    );
    assert.equal(
      heldOutCell(
        model({ anatomyHeldOut: { measure: 'av-accuracy', candidate: 0.91234, parent: 0.9, images: 3 } }),
      ),
      'A/V accuracy 0.9123 (0.9000, 3 images)',
    );
    assert.equal(
      heldOutCell(
        model({
          anatomyHeldOut: { measure: 'disc-centre-error', candidate: 0.0812, parent: 0.25, images: 4 },
        }),
      ),
      'centre error 0.081 DD (0.250 DD, 4 images)',
    );
    assert.equal(heldOutCell(model({ metrics: { f1: 0.8, aucRoc: 0.97, dataset: 'DRIVE' } })), 'test 0.8000');
    assert.equal(
      heldOutCell(
        model({
          anatomyValidation: { measure: 'disc-centre-error', value: 0.0298, images: 12, dataset: 'DRIVE-OD' },
        }),
      ),
      'validation centre error 0.030 DD (12 images, DRIVE-OD)',
    );
    assert.equal(heldOutCell(model()), '—');
    assert.equal(
      heldOutSentence({ measure: 'disc-centre-error', candidate: 0.1, parent: 0.2, images: 1 }),
      'Disc centre error on 1 held-out corrected image: active 0.200 DD, candidate 0.100 DD',
    );
  });

  test('a part: skipped or failed with its reason, or the candidate as it stands now', () => {
    const skipped: AnatomyRetrainPart = {
      ...judged({}, false),
      outcome: 'skipped',
      reason: 'optic disc: only 3 approved images with a disc set by hand; a retrain needs 4',
      task: 'optic-disc',
      candidate: null,
      decision: null,
    };
    assert.equal(partState(skipped), 'skipped');
    assert.equal(partHeadline(skipped), 'Optic disc model: skipped');
    assert.equal(partState({ ...skipped, outcome: 'failed' }), 'failed');
    const cases: [Partial<ModelSummary>, boolean, string, string][] = [
      [{}, true, 'awaiting', 'Artery/vein model: better than anatomy-av, waiting for your decision'],
      [{}, false, 'not-better', 'Artery/vein model: not better, anatomy-av stays'],
      [{ status: 'active' }, false, 'promoted', 'Artery/vein model: promoted (anatomy-av+r3 is in use)'],
      [{ status: 'retired' }, true, 'kept', 'Artery/vein model: not promoted (anatomy-av kept)'],
      [
        { status: 'retired', promotedAt: '2026-12-03T09:10:00.000Z' },
        true,
        'rolled-back',
        'Artery/vein model: promoted, since replaced (anatomy-av+r3 is retired)',
      ],
    ];
    for (const [candidate, better, state, headline] of cases) {
      const p = judged(candidate, better);
      assert.equal(partState(p), state);
      assert.equal(partHeadline(p), headline);
    }
  });
});
