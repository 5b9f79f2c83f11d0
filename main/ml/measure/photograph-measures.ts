// Measures of a segmented photograph: the vessel mask, its probability map, the artery/vein labels and the optic
// disc from the anatomy models, and the pixel size when the study knows it, handed to the pure measures.
import type { Segmentation } from '../infer.js';
import type { AnatomyResult } from '../anatomy/anatomy-models.js';
import { measureImage, type ImageMeasures } from '../../../shared/measure/measures.js';

/** Micrometres of retina per degree of visual field (Gullstrand's schematic eye, as fundus camera specs use). */
export const MICROMETRES_PER_DEGREE = 291;

export interface ScaleHints {
  /** Micrometres per pixel (DICOM pixel spacing). */
  pixelSizeUm?: number | null;
  /** How far to trust that pixel size (a DICOM's pixels that are not square), carried into the measures' notes. */
  pixelSizeNote?: string | null;
  /** The camera's field angle in degrees, across the circular aperture (or the frame's diagonal without one). */
  fieldAngleDeg?: number | null;
}

/**
 * Micrometres per pixel: DICOM's pixel spacing when given, else the field angle spread over the aperture's diameter
 * (the frame's diagonal when the photograph shows no aperture edge, with a note saying so); null when neither is known.
 */
export function imageScale(
  hints: ScaleHints,
  geometry: { apertureDiameterPx: number | null; width: number; height: number },
): { pixelSizeUm: number | null; note: string | null } {
  if (hints.pixelSizeUm && hints.pixelSizeUm > 0)
    return { pixelSizeUm: hints.pixelSizeUm, note: hints.pixelSizeNote ?? null };
  if (!hints.fieldAngleDeg || hints.fieldAngleDeg <= 0) return { pixelSizeUm: null, note: null };
  const diagonal = geometry.apertureDiameterPx === null;
  const diameterPx = geometry.apertureDiameterPx ?? Math.hypot(geometry.width, geometry.height);
  return {
    pixelSizeUm: (hints.fieldAngleDeg * MICROMETRES_PER_DEGREE) / diameterPx,
    note: diagonal
      ? `no edge of the camera's aperture shows, so the ${hints.fieldAngleDeg}-degree field angle was taken ` +
        "across the image's diagonal: the micrometres hold only if the field fills the whole frame"
      : null,
  };
}

export function scaleOf(
  seg: Segmentation,
  hints: ScaleHints,
): { pixelSizeUm: number | null; note: string | null } {
  const circle = seg.frame?.circle;
  return imageScale(hints, {
    apertureDiameterPx: circle ? 2 * circle.r : null,
    width: seg.width,
    height: seg.height,
  });
}

export interface MeasureOptions extends ScaleHints {
  /** The mask to measure when it is not the prediction's own (a corrected mask, 0/1 or 0/255). */
  mask?: Uint8Array;
  /** Artery/vein labels to use instead of the prediction's (AV_CLASS per pixel). */
  av?: Uint8Array;
  draws?: number;
}

export function measureSegmentation(
  seg: Segmentation,
  anatomy: AnatomyResult | null,
  opts: MeasureOptions = {},
): ImageMeasures {
  const disc = anatomy?.disc.disc;
  const scale = scaleOf(seg, opts);
  return measureImage({
    width: seg.width,
    height: seg.height,
    mask: opts.mask ?? seg.mask,
    fov: seg.fov.data,
    probability: seg.prob,
    threshold: seg.threshold,
    av: opts.av ?? anatomy?.arteryVein.labels,
    arteryProbability: anatomy?.arteryVein.artery,
    disc: disc ? { x: disc.x, y: disc.y, diameter: disc.diameter } : null,
    pixelSizeUm: scale.pixelSizeUm,
    ...(scale.note ? { scaleNote: scale.note } : {}),
    draws: opts.draws,
  });
}
