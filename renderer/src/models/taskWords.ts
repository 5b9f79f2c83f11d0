// The Models screen's words for each model task: titles, the held-out scores as each task records them (F1 for
// vessels, artery/vein accuracy, disc centre error in disc diameters) and what became of an anatomy task's part of a
// retrain. Pure, so the wording is tested without a browser.
import type {
  AnatomyHeldOut,
  AnatomyRetrainPart,
  ModelSummary,
  ModelTask,
} from '../../../shared/contract.js';

export const TASK_TITLE: Record<ModelTask, string> = {
  vessel: 'Vessel models',
  'artery-vein': 'Artery/vein models',
  'optic-disc': 'Optic disc models',
};

export const TASK_NAME: Record<ModelTask, string> = {
  vessel: 'vessel',
  'artery-vein': 'artery/vein',
  'optic-disc': 'optic disc',
};

/** What the gate's per-image gain is called in a verdict. */
export const GAIN_LABEL: Record<ModelTask, string> = {
  vessel: 'F1 change',
  'artery-vein': 'A/V accuracy change',
  'optic-disc': 'Disc centre error reduction (disc diameters)',
};

/** A model from a server that predates tasks is a vessel model. */
export const taskOf = (m: ModelSummary): ModelTask => m.task ?? 'vessel';

/** One score in its task's measure: an accuracy, or a centre error in disc diameters (DD). */
export function anatomyScore(measure: AnatomyHeldOut['measure'], v: number): string {
  return measure === 'av-accuracy' ? v.toFixed(4) : `${v.toFixed(3)} DD`;
}

const MEASURE_NAME: Record<AnatomyHeldOut['measure'], string> = {
  'av-accuracy': 'A/V accuracy',
  'disc-centre-error': 'centre error',
};

const images = (n: number): string => `${n} image${n === 1 ? '' : 's'}`;

/**
 * The held-out column: the model's score, its parent's, and on how many images, in the task's measure; for a model
 * no retrain made, its own validation (an anatomy model) or test F1 (a vessel model).
 */
export function heldOutCell(
  m: Pick<ModelSummary, 'heldOut' | 'anatomyHeldOut' | 'anatomyValidation' | 'metrics'>,
): string {
  if (m.heldOut)
    return `${m.heldOut.f1.toFixed(4)} (${m.heldOut.parentF1.toFixed(4)}, ${images(m.heldOut.images)})`;
  const a = m.anatomyHeldOut;
  if (a) {
    return `${MEASURE_NAME[a.measure]} ${anatomyScore(a.measure, a.candidate)} (${anatomyScore(a.measure, a.parent)}, ${images(a.images)})`;
  }
  const v = m.anatomyValidation;
  if (v) {
    return `validation ${MEASURE_NAME[v.measure]} ${anatomyScore(v.measure, v.value)} (${images(v.images)}, ${v.dataset})`;
  }
  return m.metrics ? `test ${m.metrics.f1.toFixed(4)}` : '—';
}

/** Both models' held-out scores in a sentence. */
export function heldOutSentence(a: AnatomyHeldOut): string {
  const what = a.measure === 'av-accuracy' ? 'A/V accuracy' : 'Disc centre error';
  return (
    `${what} on ${a.images} held-out corrected image${a.images === 1 ? '' : 's'}: ` +
    `active ${anatomyScore(a.measure, a.parent)}, candidate ${anatomyScore(a.measure, a.candidate)}`
  );
}

export type PartState =
  'skipped' | 'failed' | 'promoted' | 'rolled-back' | 'awaiting' | 'not-better' | 'kept';

/** What became of a task's part of a retrain, as it stands now (a person may have decided since). */
export function partState(p: AnatomyRetrainPart): PartState {
  if (p.outcome !== 'judged' || !p.candidate) return p.outcome === 'skipped' ? 'skipped' : 'failed';
  if (p.candidate.status === 'active') return 'promoted';
  if (p.candidate.status === 'retired') return p.candidate.promotedAt ? 'rolled-back' : 'kept';
  return p.decision?.better ? 'awaiting' : 'not-better';
}

/** The part's headline in plain words, e.g. "Artery/vein model: not better, anatomy-av stays". */
export function partHeadline(p: AnatomyRetrainPart): string {
  const task = TASK_NAME[p.task];
  const head = `${task.charAt(0).toUpperCase()}${task.slice(1)} model`;
  const parent = p.parent?.name ?? 'the active model';
  switch (partState(p)) {
    case 'skipped':
      return `${head}: skipped`;
    case 'failed':
      return `${head}: failed`;
    case 'promoted':
      return `${head}: promoted (${p.candidate?.name} is in use)`;
    case 'rolled-back':
      return `${head}: promoted, since replaced (${p.candidate?.name} is retired)`;
    case 'kept':
      return `${head}: not promoted (${parent} kept)`;
    case 'awaiting':
      return `${head}: better than ${parent}, waiting for your decision`;
    case 'not-better':
      return `${head}: not better, ${parent} stays`;
  }
}
