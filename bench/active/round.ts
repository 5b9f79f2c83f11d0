// One round of the study: a fresh store with the round's approvals (round-store.ts), one retrain through runRetrain
// (the Retrain button's code path) and the candidate scored on the test part, promoted or not.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RetrainError } from '../../main/retrain/errors.js';
import { runRetrain } from '../../main/retrain/run.js';
import type { RetrainSettings } from '../../main/retrain/settings.js';
import { readManifest } from '../../main/ml/model/model-dir.js';
import type { RetrainSnapshot } from '../../main/retrain/snapshot.js';
import { storeStem } from '../../main/retrain/training-set.js';
import { getTrainingRun, type Store } from '../../main/store/index.js';
import { buildRoundStore, type RoundInputs } from './round-store.js';

/**
 * The only settings changed from the defaults, for so few approvals: the gate judges on the one gate image (the
 * default minHeldOut 3 would refuse every round), and no chosen image is held out (with heldOutFraction 0.2 the
 * plan could hold one of the k out of training, and the round would not be "k images added").
 */
export const STUDY_SETTINGS: Partial<RetrainSettings> = { minHeldOut: 1, heldOutFraction: 0 };

export interface RoundResult {
  /** Pooled FOV F1 of the candidate on the test part; null when the plan refused the retrain. */
  f1: number | null;
  refused: string | null;
  /** The gate's verdict on its held-out image and whether the candidate was promoted. */
  gate: string | null;
  /** What the plan trained on: new, validation and replay images. */
  plan: string | null;
  seconds: number;
}

/**
 * What the run trained on: the recorded plan, and which images the trainer fitted and validated on. With fewer than
 * 3 new images the plan names no validation images and the trainer picks its own among all of them, so a new
 * image can end up only validating (not fitted): the line says so.
 */
async function describeFit(store: Store, runId: number, candidateDir: string): Promise<string> {
  const snap = (getTrainingRun(store, runId).config as { snapshot?: RetrainSnapshot } | null)?.snapshot;
  if (!snap) return 'plan not recorded';
  const { trainIds, validationIds } = (await readManifest(candidateDir)).provenance;
  const fresh = new Set([...snap.train, ...snap.validation].map((e) => storeStem(e.imageId)));
  const count = (ids: string[]): string => `${ids.length} (${ids.filter((id) => fresh.has(id)).length} new)`;
  const replay = snap.replay.store.length + snap.replay.dataset.length;
  return (
    `plan ${fresh.size} new + ${replay} replay, ${snap.heldOut.length} held out; ` +
    `fitted ${count(trainIds)}, validated on ${count(validationIds)}`
  );
}

export async function runRound(
  inputs: RoundInputs,
  opts: {
    workers?: number;
    threads: number;
    score: (modelDir: string) => Promise<number>;
    log: (line: string) => void;
  },
): Promise<RoundResult> {
  const t0 = performance.now();
  const elapsed = (): number => (performance.now() - t0) / 1000;
  const work = await mkdtemp(path.join(tmpdir(), 'retina-bench-active-'));
  const store = await buildRoundStore(work, inputs).catch(async (err: unknown) => {
    await rm(work, { recursive: true, force: true });
    throw err;
  });
  try {
    let lastPhase = '';
    const outcome = await runRetrain(store, {
      actor: 'annotator',
      trigger: 'button',
      promote: 'if-better',
      settings: STUDY_SETTINGS,
      workers: opts.workers,
      threads: opts.threads,
      onProgress: (p) => {
        if (p.phase === lastPhase) return;
        lastPhase = p.phase;
        opts.log(`  [${elapsed().toFixed(0)} s] ${p.phase}: ${p.message}`);
      },
    });
    const f1 = await opts.score(outcome.candidateDir);
    const d = outcome.decision;
    return {
      f1,
      refused: null,
      gate: `${d.promoted ? 'promoted' : 'not promoted'}: ${d.reason}`,
      plan: `${await describeFit(store, outcome.runId, outcome.candidateDir)}; ${outcome.losses.length} steps`,
      seconds: elapsed(),
    };
  } catch (err) {
    if (!(err instanceof RetrainError)) throw err;
    return { f1: null, refused: err.message, gate: null, plan: null, seconds: elapsed() };
  } finally {
    store.close();
    await rm(work, { recursive: true, force: true });
  }
}
