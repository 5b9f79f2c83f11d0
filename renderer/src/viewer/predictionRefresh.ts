// What a new prediction of the open image does to its document: taken into it (undo history and corrections kept),
// or a document built afresh from the masks, as opening the image again would.
import type { MasksResponse } from '../../../shared/contract.js';
import type { MaskDocument } from './maskDocument.js';

/**
 * True when the document is built afresh: there is none, the masks have no prediction or another size, or the new
 * prediction brings an artery/vein map to a document without one in which nothing was done yet (the labels are
 * fixed when a document is built). A stroke still being drawn counts as something done: rebuilt under it, the
 * document would drop it, and the rest of it, pointer still down, would write nothing.
 */
export function rebuildsForPrediction(
  doc: Pick<MaskDocument, 'labels' | 'untouched' | 'width' | 'height'> | null,
  m: Pick<MasksResponse, 'prediction' | 'width' | 'height'>,
): boolean {
  if (!doc || !m.prediction || doc.width !== m.width || doc.height !== m.height) return true;
  return !doc.labels && !!m.prediction.av && doc.untouched;
}

/**
 * What a prediction of the open image made elsewhere (another window, the CLI, a team worker) does here, this window
 * holding the lease: 'none' when it is not newer than the one shown; 'held' while another version or a refused save
 * is on screen (going back shows it); 'take' when nothing was done on the prediction shown (no edit, nothing saved
 * over it): it is shown, as after P; else 'notice': the edits stay as they are and the user is told it exists.
 */
export function outsidePredictionAction(
  shown: { versionId: string; version: number } | null,
  arrived: { versionId: string; version: number } | null,
  doc: Pick<MaskDocument, 'untouched' | 'parentVersionId'>,
  previewing: boolean,
): 'none' | 'held' | 'take' | 'notice' {
  if (!arrived || arrived.versionId === shown?.versionId || arrived.version <= (shown?.version ?? 0))
    return 'none';
  if (previewing) return 'held';
  // A document built on a saved draft or approval, or saved from here, names that version as its parent.
  return doc.untouched && doc.parentVersionId === (shown?.versionId ?? null) ? 'take' : 'notice';
}

/**
 * Where a prediction held back is seen: a version or kept draft on screen has "Back to the current mask"; a refused
 * save alone has "Load the latest mask".
 */
export const wayToHeldPrediction = (versionShown: boolean): string =>
  versionShown ? 'go back to the current mask' : 'load the latest mask';
