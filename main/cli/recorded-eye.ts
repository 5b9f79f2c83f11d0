// The eye a photograph's file records (its DICOM header, else its file name, as the import reads them), checked
// against the eye its optic disc and fovea show, so that a disagreement is said rather than one silently winning.
import { dicomHeader } from '../ml/io/dicom-pixels.js';
import { clinicalFromFileName } from '../store/file-name-clinical.js';
import { eyeConflict } from '../../shared/laterality.js';

export interface RecordedEye {
  eye: 'OD' | 'OS' | null;
  /** Where the eye was read, for the user: "the DICOM header" or "the file name". */
  source: string;
}

/** The header's eye, else the file name's; `header` when the caller has read it already. */
export async function recordedEye(
  file: string,
  header?: { eye: 'OD' | 'OS' | null } | null,
): Promise<RecordedEye> {
  const h = header === undefined ? await dicomHeader(file) : header;
  if (h?.eye) return { eye: h.eye, source: 'the DICOM header' };
  return { eye: clinicalFromFileName(file).eye, source: 'the file name' };
}

/** The warning for a recorded eye the disc and fovea contradict; none when they agree or either is unknown. */
export function recordedEyeWarnings(recorded: RecordedEye, laterality: 'L' | 'R' | null): string[] {
  const w = eyeConflict(recorded.eye, laterality, recorded.source);
  return w ? [w] : [];
}
