// Which eye a fundus photograph shows, read from its optic disc and fovea: the disc lies nasal to the fovea, so in
// the usual upright photograph a disc right of the fovea is a right eye's. Used by the disc search (on the model's
// markers) and by the viewer (on markers a person placed or moved), so the record's laterality follows its markers.

export interface LateralityMarkers {
  disc: { x: number; y: number; diameter: number } | null;
  fovea: { x: number; y: number; confidence: number } | null;
}

/** A fovea found with less confidence than this says nothing about the eye. */
export const LATERALITY_MIN_FOVEA_CONFIDENCE = 0.3;

/**
 * 'R' or 'L' from the disc's side of the fovea; null when either is missing, the fovea is unsure, or the two are
 * less than a disc diameter apart across the photograph (a tilted or unusual view).
 */
export function lateralityFromDiscAndFovea({ disc, fovea }: LateralityMarkers): 'L' | 'R' | null {
  if (!disc || !fovea || fovea.confidence < LATERALITY_MIN_FOVEA_CONFIDENCE) return null;
  if (Math.abs(fovea.x - disc.x) <= disc.diameter) return null;
  return disc.x > fovea.x ? 'R' : 'L';
}

/**
 * Words for an eye recorded for the photograph (its DICOM header, its file name, a person) that the disc and fovea
 * contradict, or null when they agree or either is unknown. Neither overrides the other: a mirrored or rotated
 * photograph makes the markers wrong, a mistyped eye the record, and only a person can tell which.
 */
export function eyeConflict(
  recorded: 'OD' | 'OS' | null,
  markers: 'L' | 'R' | null,
  source: string,
): string | null {
  if (!recorded || !markers || (recorded === 'OD') === (markers === 'R')) return null;
  const said = recorded === 'OD' ? 'right eye (OD)' : 'left eye (OS)';
  const seen = markers === 'R' ? 'a right eye' : 'a left eye';
  const side = markers === 'R' ? 'right' : 'left';
  return (
    `${source} says ${said}, but the optic disc lies ${side} of the fovea, as in ${seen}: ` +
    'the photograph may be mirrored or rotated, or the eye recorded wrongly'
  );
}
