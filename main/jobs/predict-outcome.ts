// How a prediction batch's outcome reads to the user, as an import's does (import-outcome.ts): the images whose
// stored photograph could not be read are skipped, each named with its reason, and one summary line counts what
// happened ("predicted 2 of 3 images; 1 image could not be read"). Only when none was predicted does the job fail.
import type { ErrorPayload } from '../../shared/contract.js';
import { plural } from '../../shared/plural.js';

/** An image left out of a batch, named as the user knows it (its file name and id). */
export interface SkippedImage {
  imageId: number;
  file: string;
  reason: string;
}

export interface PredictOutcome {
  /** Images given a prediction (by this run, or by an earlier attempt of the same team job). */
  predicted: number[];
  skipped: SkippedImage[];
}

/** Longest reason kept: one line in the jobs tray. */
const MAX_REASON = 240;
/** Images named in a job's one-line error before "and N more". */
const NAMES_IN_ERROR = 3;

/** The image's name as its load error would start with it ("x.tif (image 3)"), for stripping and listing. */
export function skippedImage(imageId: number, fileName: string, err: unknown): SkippedImage {
  const file = `${fileName} (image ${imageId})`;
  let reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  if (reason.startsWith(`${file}: `)) reason = reason.slice(file.length + 2);
  reason = reason.trim() || 'could not be read';
  if (reason.length > MAX_REASON) reason = `${reason.slice(0, MAX_REASON - 1)}…`;
  return { imageId, file, reason };
}

export function predictMessage({ predicted, skipped }: PredictOutcome): string {
  if (skipped.length === 0) return `predicted ${plural(predicted.length, 'image')}`;
  const considered = predicted.length + skipped.length;
  return `predicted ${predicted.length} of ${plural(considered, 'image')}; ${plural(skipped.length, 'image')} could not be read`;
}

/** One line naming the skipped images with their reasons (null when none), for the CLI and a retrain's outcome. */
export function skippedSummary(skipped: readonly SkippedImage[]): string | null {
  if (skipped.length === 0) return null;
  const shown = skipped.slice(0, NAMES_IN_ERROR).map((s) => `${s.file}: ${s.reason}`);
  const more = skipped.length - shown.length;
  return `skipped ${plural(skipped.length, 'image')} that could not be read: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

/** Set when every image was skipped: the job then fails with this one-line error. */
export function predictError({ predicted, skipped }: PredictOutcome): ErrorPayload | null {
  if (skipped.length === 0 || predicted.length > 0) return null;
  if (skipped.length === 1) {
    return { code: 'unreadable-file', message: `${skipped[0].file}: ${skipped[0].reason}` };
  }
  const shown = skipped.slice(0, NAMES_IN_ERROR).map((s) => s.file);
  const more = skipped.length - shown.length;
  return {
    code: 'unreadable-file',
    message: `none of the ${skipped.length} images could be read: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
  };
}
