// How an export names images and patients. As recorded by default (names left out unless asked for); de-identified
// on request: every image named by its id (`image-12`), and patients coded P0001, P0002, ... in the order the export
// first lists them, codes that mean nothing outside that one export. Birth years, eyes, visit dates and cameras stay:
// longitudinal and per-camera analyses need them.
import { extname } from 'node:path';
import type { ClinicalRecord } from './clinical.js';
import type { ImageRecord } from './images.js';

export interface ExportIdentity {
  deidentified: boolean;
  /** What `file_name` columns say of the image. */
  fileName(image: ImageRecord): string;
  /** The patient's ID as written (null: no patient). */
  patient(c: ClinicalRecord | undefined): string | null;
  /**
   * Who made or approved a mask. People stay named; a dataset's import is named by its folder ("dataset:<folder>"),
   * which a clinic may have named after the patient, so de-identified it is "dataset" alone.
   */
  author(author: string): string;
}

export const RECORDED_IDENTITY: ExportIdentity = {
  deidentified: false,
  fileName: (image) => image.fileName,
  patient: (c) => c?.pseudonym ?? null,
  author: (a) => a,
};

/** Output stem of a de-identified image: nothing of its file name. */
export const deidentifiedStem = (image: ImageRecord): string => `image-${image.id}`;

export function deidentifiedIdentity(): ExportIdentity {
  const codes = new Map<string, string>();
  return {
    deidentified: true,
    fileName: (image) => `${deidentifiedStem(image)}${extname(image.fileName).toLowerCase()}`,
    patient: (c) => {
      if (!c?.pseudonym) return null;
      let code = codes.get(c.pseudonym);
      if (!code) codes.set(c.pseudonym, (code = `P${String(codes.size + 1).padStart(4, '0')}`));
      return code;
    },
    author: (a) => (a.startsWith('dataset:') ? 'dataset' : a),
  };
}
