// Clinical context across the boundary: reading an image's patient, eye, visit, camera and field angle, and
// setting them for one or many images.
import {
  RpcError,
  type ClinicalInfo,
  type ImageSummary,
  type SetClinicalInfoRequest,
} from '../../shared/contract.js';
import { getClinical, type Store } from '../store/index.js';
import { rowId } from './ids.js';

export function getClinicalInfo(store: Store, imageIdArg: string): ClinicalInfo {
  const c = getClinical(store, rowId(imageIdArg, 'image'));
  return {
    patientId: c.pseudonym,
    patientName: c.name,
    birthYear: c.birthYear,
    eye: c.eye,
    visitDate: c.visitDate,
    camera: c.camera,
    fieldAngleDeg: c.fieldAngleDeg,
  };
}

// SCAFFOLD (issue 13, clinical track): replaced by the real implementation before landing.
export function setClinicalInfo(
  _store: Store,
  _req: SetClinicalInfoRequest,
  _actor: string,
): { images: ImageSummary[] } {
  throw new RpcError('unsupported', 'setting clinical information is not implemented yet');
}
