// Clinical context across the boundary: reading an image's patient, eye, visit, camera and field angle, and
// setting them for one or many images.
import type { ClinicalRecord, ImageSummary, SetClinicalInfoRequest } from '../../shared/contract.js';
import { dicomPixelSize, getClinical, getImage, setClinical, type Store } from '../store/index.js';
import { rowId } from './ids.js';
import { summaryFromRecord } from './summaries.js';

export function getClinicalInfo(store: Store, imageIdArg: string): ClinicalRecord {
  const imageId = rowId(imageIdArg, 'image');
  const c = getClinical(store, imageId);
  return {
    patientId: c.pseudonym,
    patientName: c.name,
    birthYear: c.birthYear,
    eye: c.eye,
    visitDate: c.visitDate,
    camera: c.camera,
    fieldAngleDeg: c.fieldAngleDeg,
    // The dialog says when a field angle entered would go unused.
    dicomPixelUm: dicomPixelSize(getImage(store, imageId))?.pixelSizeUm ?? null,
  };
}

/** Sets the fields present in `req.info` on every image named, in one audited transaction. */
export function setClinicalInfo(
  store: Store,
  req: SetClinicalInfoRequest,
  actor: string,
): { images: ImageSummary[] } {
  const ids = req.imageIds.map((id) => rowId(id, 'image'));
  setClinical(store, ids, req.info, actor);
  return { images: ids.map((id) => summaryFromRecord(store, getImage(store, id))) };
}
