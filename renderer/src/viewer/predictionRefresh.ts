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
