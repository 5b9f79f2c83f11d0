// Retraining settings, kept beside the database (`<db>.retrain.json`) so the workstation and `retina retrain`
// read the same ones. Missing file or missing keys: the defaults.
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../node/atomic-fs.js';
import { FINE_TUNE_DEFAULTS } from './fine-tune.js';
import { RetrainError } from './errors.js';

export interface RetrainSettings {
  /** Start a retrain by itself once this many approvals are new to the active model; 0 = only when asked. */
  autoRetrainAfter: number;
  /** Share of the approved images kept out of training to compare candidate and active model on. */
  heldOutFraction: number;
  /** At least this many held-out images a person corrected (or from a dataset): fewer, and the gate cannot judge. */
  minHeldOut: number;
  /** Images of the parent's earlier training data mixed in so the model does not forget; 0 = none. */
  replayImages: number;
  epochs: number;
  stepsPerEpoch: number;
  batchSize: number;
  learningRate: number;
  maxMinutes: number;
  seed: number;
  /** The gate's margin: promote only when the lower end of the 95% interval of the F1 gain is above it. */
  promotionMargin: number;
  /** A fixed benchmark dataset both models are also scored on (a folder openDataset reads), or null. */
  benchmark: { path: string; split: 'train' | 'test' | 'all' } | null;
}

export const DEFAULT_RETRAIN_SETTINGS: RetrainSettings = {
  autoRetrainAfter: 0,
  heldOutFraction: 0.2,
  minHeldOut: 3,
  replayImages: 6,
  epochs: FINE_TUNE_DEFAULTS.epochs,
  stepsPerEpoch: FINE_TUNE_DEFAULTS.stepsPerEpoch,
  batchSize: FINE_TUNE_DEFAULTS.batchSize,
  learningRate: FINE_TUNE_DEFAULTS.learningRate,
  maxMinutes: FINE_TUNE_DEFAULTS.maxMinutes,
  seed: FINE_TUNE_DEFAULTS.seed,
  promotionMargin: 0,
  benchmark: null,
};

/** A SQLite store's settings file (a team store's is `retrain.json` in its shared folder). */
export function settingsPath(dbPath: string): string {
  return `${dbPath}.retrain.json`;
}

const RANGES: Partial<Record<keyof RetrainSettings, [number, number, boolean]>> = {
  autoRetrainAfter: [0, 1_000_000, true],
  heldOutFraction: [0, 0.9, false],
  // Two at least: one image says nothing of the spread, and the gate judges none on fewer.
  minHeldOut: [2, 1000, true],
  replayImages: [0, 1000, true],
  epochs: [1, 1000, true],
  stepsPerEpoch: [1, 100_000, true],
  batchSize: [2, 512, true],
  learningRate: [1e-7, 1, false],
  maxMinutes: [0, 10_000, false],
  seed: [0, 2 ** 31 - 1, true],
  promotionMargin: [0, 0.5, false],
};

/** Checks merged settings; a bad value is a one-line RetrainError naming it and where it came from. */
export function checkSettings(s: RetrainSettings, where: string): RetrainSettings {
  for (const [key, [min, max, integer]] of Object.entries(RANGES) as [string, [number, number, boolean]][]) {
    const v = (s as unknown as Record<string, unknown>)[key];
    if (
      typeof v !== 'number' ||
      !Number.isFinite(v) ||
      v < min ||
      v > max ||
      (integer && !Number.isInteger(v))
    ) {
      throw new RetrainError(
        `${where}: ${key} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(v)}`,
      );
    }
  }
  if (s.benchmark !== null) {
    const b = s.benchmark as unknown as Record<string, unknown>;
    if (
      typeof b !== 'object' ||
      typeof b.path !== 'string' ||
      !['train', 'test', 'all'].includes(String(b.split))
    ) {
      throw new RetrainError(`${where}: benchmark must be null or { "path": "...", "split": "test" }`);
    }
  }
  return s;
}

/** The settings in `file` (a store's `store.beside('retrain.json')`); defaults when there is none. */
export function readSettings(file: string): RetrainSettings {
  if (!existsSync(file)) return { ...DEFAULT_RETRAIN_SETTINGS };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RetrainError(`${file}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new RetrainError(`${file}: not a JSON object`);
  const stored = { ...DEFAULT_RETRAIN_SETTINGS, ...(raw as Partial<RetrainSettings>) };
  // Earlier versions allowed one held-out image, which the gate cannot judge on: such a file reads as two
  // rather than stopping every retrain (and the app's settings, which could not then be saved either).
  if (stored.minHeldOut === 1) stored.minHeldOut = 2;
  return checkSettings(stored, file);
}

/** Merges `changes` into the stored settings and writes them atomically; returns the result. */
export async function saveSettings(
  file: string,
  changes: Partial<RetrainSettings>,
): Promise<RetrainSettings> {
  const next = checkSettings({ ...readSettings(file), ...changes }, 'retrain settings');
  await writeFileAtomic(file, JSON.stringify(next, null, 2) + '\n');
  return next;
}
