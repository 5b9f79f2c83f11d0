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
