// The status bar's word about the anatomy on show: no disc (found, or left by hand), else an eye recorded for the
// image (its DICOM header, file name, or a person) that the disc and fovea contradict. The contradiction is shown
// whatever layer is on: neither value overrides the other, so only a person seeing both can settle it.
import { eyeConflict } from '../../../shared/laterality.js';

/** Shown while the disc markers are on screen and the model found no disc. */
export const NO_DISC_NOTE = 'No optic disc found: the Disc tool (Shift+D) places one';
export const DISC_REMOVED_NOTE = 'Optic disc removed by hand: the Disc tool (Shift+D) places one';

export interface AnatomyNoteInput {
  /** The anatomy layer (disc, fovea, A/V) is on screen. */
  layerShown: boolean;
  anatomy: { disc: unknown; laterality: 'L' | 'R' | null } | null;
  discRemovedByHand: boolean;
  /** The image's recorded eye. */
  eye: 'OD' | 'OS' | null;
}

export function anatomyNote({
  layerShown,
  anatomy,
  discRemovedByHand,
  eye,
}: AnatomyNoteInput): string | null {
  if (!anatomy) return null;
  if (!anatomy.disc) return layerShown ? (discRemovedByHand ? DISC_REMOVED_NOTE : NO_DISC_NOTE) : null;
  return eyeConflict(eye, anatomy.laterality, "The image's record");
}

/** What the toolbar's artery/vein note is read from. */
export interface AvNoteInput {
  /** The document is loaded. */
  loaded: boolean;
  /** The document has artery/vein labels. */
  labelled: boolean;
  hasPrediction: boolean;
  /** The latest prediction brought an artery/vein map (which a document edited before it arrived does not take). */
  predictionHasAv: boolean;
  /** Whether the anatomy models are installed; null until known. */
  anatomyModels: boolean | null;
}

/** Why the image has no artery/vein layer, in words for the toolbar; null when it has one (or while loading). */
export function avNote(s: AvNoteInput): string | null {
  if (!s.loaded || s.labelled || s.anatomyModels === null) return null;
  // The edits made before the prediction came are kept as they were: the new labels come with the next opening.
  if (s.predictionHasAv)
    return 'The new prediction has an artery/vein map: open the image again to see it (your edits are saved).';
  if (!s.anatomyModels) return 'No artery/vein map: the anatomy models are not installed.';
  return s.hasPrediction
    ? 'No artery/vein map for this prediction: predict again (P) to get one.'
    : 'No artery/vein map yet: predict (P) to get one.';
}
