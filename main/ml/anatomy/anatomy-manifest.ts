// What a model directory records when its network is an anatomy model rather than a vessel model: which task, what
// input it sees, and at what fraction of the vessel model's canonical frame it works.
export type AnatomyTask = 'artery-vein' | 'optic-disc';

export interface AnatomyRecord {
  task: AnatomyTask;
  /** RGB planes, each CLAHE-equalised and z-scored in the field of view (colour-input.ts). */
  input: 'rgb-clahe';
  /** The network works on the vessel model's canonical frame shrunk by this whole factor (1 = as is). */
  downsample: number;
  /** Figures measured on the validation images when the model was chosen. */
  validation?: Record<string, number>;
}

export const ANATOMY_TASKS: readonly AnatomyTask[] = ['artery-vein', 'optic-disc'];

/** Checks an untrusted record (from a manifest); returns a message naming the bad field, or null. */
export function anatomyRecordProblem(x: unknown): string | null {
  if (typeof x !== 'object' || x === null) return 'anatomy must be an object';
  const r = x as Record<string, unknown>;
  if (!ANATOMY_TASKS.includes(r.task as AnatomyTask)) {
    return `anatomy.task must be one of ${ANATOMY_TASKS.join(', ')}, got ${JSON.stringify(r.task)}`;
  }
  if (r.input !== 'rgb-clahe') return `anatomy.input must be 'rgb-clahe', got ${JSON.stringify(r.input)}`;
  if (!(
    typeof r.downsample === 'number' &&
    Number.isInteger(r.downsample) &&
    r.downsample >= 1 &&
    r.downsample <= 8
  )) {
    return `anatomy.downsample must be an integer in 1..8, got ${JSON.stringify(r.downsample)}`;
  }
  return null;
}
