// Samples and scores of an anatomy retrain: approved corrections (and replayed training images) placed in the
// vessel model's frame by the task's own preparation, and both models scored image by image on the held-out
// corrections in the task's measure (anatomy-tasks.ts), which the gate then judges (anatomy-gate.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAnatomyModel } from '../ml/anatomy/anatomy-models.js';
import type { AnatomySample } from '../ml/anatomy/anatomy-sample.js';
import type { LoadedModel } from '../ml/model/model-loader.js';
import type { Store } from '../store/index.js';
import type { AnatomyImageScore } from './anatomy-gate.js';
import type { AnatomyPlan } from './anatomy-plan.js';
import { writeCorrection } from './anatomy-samples.js';
import { TempNames } from './temp-names.js';
import { anatomySamplesPrefix } from './leftovers.js';
import { anatomyTrainingRefs, type AnatomySnapshot } from './anatomy-snapshot.js';

/** Places each reference in the frame; the temporary files go when this returns. */
export async function prepareAnatomySamples(
  store: Store,
  plan: AnatomyPlan,
  vessel: LoadedModel,
  entries: AnatomySnapshot['train'],
  replay: string[],
): Promise<AnatomySample[]> {
  const tmp = await mkdtemp(join(tmpdir(), anatomySamplesPrefix(process.pid)));
  const names = new TempNames();
  try {
    const out: AnatomySample[] = [];
    for (const e of entries)
      out.push(await plan.kit.prepare(await writeCorrection(store, plan.task, e, tmp, names), vessel));
    const refs = anatomyTrainingRefs(plan.task, plan.manifest).filter((r) => replay.includes(r.id));
    for (const r of refs) out.push(await plan.kit.prepare(r, vessel));
    return out;
  } catch (err) {
    throw names.explain(err);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Both models on the held-out corrections, image by image, in the task's measure. */
export async function scoreAnatomyHeldOut(
  plan: AnatomyPlan,
  heldOut: AnatomySample[],
  candidateDir: string,
  threads: number,
): Promise<AnatomyImageScore[]> {
  const cand = await openAnatomyModel(plan.task, candidateDir, { threads });
  try {
    const act = await openAnatomyModel(plan.task, plan.base.dirPath, { threads });
    try {
      const scores: AnatomyImageScore[] = [];
      for (const [i, s] of heldOut.entries()) {
        scores.push({
          ...plan.snapshot.heldOut[i],
          candidate: plan.kit.measure(await plan.kit.validate(cand.predictor, [s])),
          active: plan.kit.measure(await plan.kit.validate(act.predictor, [s])),
        });
      }
      return scores;
    } finally {
      await act.predictor.dispose();
    }
  } finally {
    await cand.predictor.dispose();
  }
}
