// `retina measure --report`: one photograph's report, the same document the workstation makes (shared builder,
// same pictures), written beside its measures as <stem>_report.html.
import { basename } from 'node:path';
import type { ImageMeasures } from '../../shared/measure/measures.js';
import { reportHtml } from '../../shared/measure/report-html.js';
import { photoDataUrl, vesselOverlayDataUrl } from '../ml/measure/report-pictures.js';
import type { RasterImage } from '../ml/types.js';
import { packageVersion } from '../node/package-root.js';

export interface MeasuredPhotograph {
  file: string;
  image: RasterImage;
  /** The vessel mask measured and its AV_CLASS labels. */
  mask: Uint8Array;
  av: Uint8Array | null;
  measures: ImageMeasures;
  /** What the mask is, in words (e.g. "prediction", "mask file corrected.png"), and the vessel model's name. */
  maskLabel: string;
  model: string | null;
  scaleSource: 'dicom' | 'field angle' | 'pixel size' | null;
  fieldAngleDeg: number | null;
  /** The patient's pseudonymous id and the eye, when the file says them. */
  patientId: string | null;
  eye: 'OD' | 'OS' | null;
}

export async function measureReportHtml(m: MeasuredPhotograph, now = new Date()): Promise<string> {
  const photo = await photoDataUrl(m.image);
  return reportHtml({
    patient: { pseudonym: m.patientId, name: null, birthYear: null },
    generatedAt: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    appVersion: packageVersion(),
    images: [
      {
        fileName: basename(m.file),
        width: m.image.width,
        height: m.image.height,
        eye: m.eye,
        visitDate: null,
        camera: null,
        fieldAngleDeg: m.fieldAngleDeg,
        photo: photo.url,
        vessels: await vesselOverlayDataUrl(m.mask, m.av, m.image, photo),
        mask: { label: m.maskLabel, model: m.model },
        scaleSource: m.scaleSource,
        measures: m.measures,
      },
    ],
  });
}
