// What an image's vessel measures are computed from, gathered from the store: the mask a person sees (the newest
// draft or approval, else the prediction), its artery/vein labels and disc, the prediction's probability map,
// threshold and artery probability (the intervals' segmentation and label shares), the field of view, and the pixel
// size (DICOM spacing, else the image's field angle over the fitted aperture), and the photograph's gradability
// evidence stored with the prediction (the pixels it was read off are not measured here). Rows only: the pixels are
// read from the blobs' files by whoever measures (main/ml/measure/measure-sources.ts), off main's thread in the app.
// The viewer's panel and the export measure through this one place, so they agree.
import type { MeasureSources } from '../ml/measure/measure-sources.js';
import type { ImageMeasures } from '../../shared/measure/measures.js';
import { judgeGradability, withGradability, type QualityEvidence } from '../../shared/measure/gradability.js';
import type { Store } from './database.js';
import { pixelSizeFromSpacing } from '../../shared/measure/pixel-spacing.js';
import { getClinical } from './clinical.js';
import { blobPath } from './file-store.js';
import type { ImageRecord } from './images.js';
import { latestDraftBy, latestMaskVersion, latestPersonVersion, type MaskVersion } from './masks.js';

export type ScaleSource = 'dicom' | 'field angle' | null;

/** Which rows a measurement reads; no pixels yet (cheap: decides whether a cached result still holds). */
export interface MeasurePlan {
  image: ImageRecord;
  /** The mask measured. */
  version: MaskVersion;
  /** The latest prediction (probability map, threshold, artery probability), when there is one. */
  prediction: MaskVersion | null;
  /** Whose artery/vein labels: the measured version's own, else the prediction's (kept on the mask's pixels). */
  labelsFrom: MaskVersion | null;
  disc: { x: number; y: number; diameter: number } | null;
  /** Why there is no disc, when it is not that the model found none: it never looked, or a person removed it. */
  noDiscReason: string | null;
  fieldAngleDeg: number | null;
  /** Micrometres per pixel from DICOM spacing (the field angle needs the aperture, fitted when measuring). */
  dicomPixelUm: number | null;
  /** Said of pixels that are not square: how far lengths at their mean size may be off. */
  dicomPixelNote: string | null;
  /**
   * The photograph's gradability evidence, from the latest prediction: a person's correction changes the mask,
   * not the photograph. Null for predictions made before it was stored (no verdict).
   */
  photograph: QualityEvidence | null;
  /** Everything the result depends on: equal keys, equal measures. */
  key: string;
}

/** The mask a person sees for the image: the newest draft or approval, else the latest prediction. */
export function currentMaskVersion(store: Store, imageId: number): MaskVersion | null {
  return latestPersonVersion(store, imageId) ?? latestMaskVersion(store, imageId, 'prediction');
}

/**
 * The mask a reader of a two-reader image sees (blind to the other reader): their own newest draft, else the
 * approval, else the prediction.
 */
export function readerMaskVersion(store: Store, imageId: number, reader: string): MaskVersion | null {
  return (
    latestDraftBy(store, imageId, reader) ??
    latestMaskVersion(store, imageId, 'approved') ??
    latestMaskVersion(store, imageId, 'prediction')
  );
}

/** Plans measuring `version` (default: the current mask); null when the image has no mask at all. */
export function planMeasurement(
  store: Store,
  image: ImageRecord,
  version?: MaskVersion | null,
): MeasurePlan | null {
  const measured = version ?? currentMaskVersion(store, image.id);
  if (!measured) return null;
  const prediction =
    measured.kind === 'prediction' ? measured : latestMaskVersion(store, image.id, 'prediction');
  const labelsFrom = measured.avHash ? measured : prediction?.avHash ? prediction : null;
  // The record goes with the version, as the viewer reads it: a saved version without one shows the prediction's.
  const anatomy = measured.anatomy ?? prediction?.anatomy ?? null;
  const disc = anatomy?.disc ?? null;
  const noDiscReason = disc
    ? null
    : !anatomy
      ? prediction
        ? 'the optic disc was not looked for (predicted without the anatomy models)'
        : 'not predicted yet: predict the image to find the optic disc'
      : anatomy.discMovedBy
        ? `optic disc removed by hand (${anatomy.discMovedBy})`
        : null;
  const dicomPixel = dicomPixelSize(image);
  const dicomPixelUm = dicomPixel?.pixelSizeUm ?? null;
  const fieldAngleDeg = getClinical(store, image.id).fieldAngleDeg;
  const key = JSON.stringify([
    image.id,
    measured.pngHash,
    labelsFrom?.avHash ?? null,
    disc,
    noDiscReason,
    dicomPixelUm,
    dicomPixelUm === null ? fieldAngleDeg : null,
    image.fovHash,
    prediction?.probHash ?? null,
    prediction?.threshold ?? null,
    prediction?.arteryProbHash ?? null,
  ]);
  return {
    image,
    version: measured,
    prediction,
    labelsFrom,
    disc,
    noDiscReason,
    fieldAngleDeg,
    dicomPixelUm,
    dicomPixelNote: dicomPixel?.note ?? null,
    photograph: prediction?.photograph ?? null,
    key,
  };
}

/** The pixel size a DICOM image's own pixel spacing gives: measured in it, over any field angle entered. */
export function dicomPixelSize(image: ImageRecord): { pixelSizeUm: number; note: string | null } | null {
  const spacing = image.pixelSpacingMm;
  return spacing && spacing[0] > 0 && spacing[1] > 0 ? pixelSizeFromSpacing(spacing) : null;
}

/**
 * The measures with the photograph's verdict, as `retina measure` gives them: an ungradable photograph's every
 * measure withheld with the reason. Applied after measuring (cheap, so cached measures need no verdict in their key).
 */
export function withPhotographVerdict(m: ImageMeasures, plan: MeasurePlan): ImageMeasures {
  return plan.photograph ? withGradability(m, judgeGradability(plan.photograph)) : m;
}

export function scaleSourceOf(plan: MeasurePlan): ScaleSource {
  return plan.dicomPixelUm !== null ? 'dicom' : plan.fieldAngleDeg ? 'field angle' : null;
}

/** The files and figures the plan's measures are read from. */
export function measureSources(store: Store, plan: MeasurePlan): MeasureSources {
  const { image, version, prediction, labelsFrom } = plan;
  const path = (hash: string | null | undefined): string | null => (hash ? blobPath(store, hash) : null);
  const withProbability = !!prediction?.probHash && prediction.threshold !== null;
  return {
    width: image.width,
    height: image.height,
    mask: blobPath(store, version.pngHash),
    fov: path(image.fovHash),
    probability: withProbability ? path(prediction.probHash) : null,
    threshold: withProbability ? prediction.threshold : null,
    av: path(labelsFrom?.avHash),
    labelsOnMask: labelsFrom !== null && labelsFrom !== version,
    arteryProbability: labelsFrom ? path(prediction?.arteryProbHash) : null,
    disc: plan.disc,
    noDiscReason: plan.noDiscReason,
    dicomPixelUm: plan.dicomPixelUm,
    dicomPixelNote: plan.dicomPixelNote,
    fieldAngleDeg: plan.fieldAngleDeg,
  };
}
