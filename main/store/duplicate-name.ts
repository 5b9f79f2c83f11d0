// A photograph imported again under a name that says more than its first name did (`pt12_OD.jpg` after
// `IMG_0001.jpg`): the image it duplicates is given the patient and the eye it lacks, audited; what it already has,
// or what a person cleared, is never replaced, and the report says the name's word was not taken.
import { recordAudit } from './audit.js';
import { getClinical } from './clinical.js';
import type { Store } from './database.js';
import { clinicalFromFileName } from './file-name-clinical.js';
import type { Laterality } from './images.js';
import { similarPatientIds } from './patient-twins.js';
import { ensurePatientTx, ensureVisitTx, findPatient } from './patients.js';

export interface NameTaken {
  /** What the existing image was given from the new name. */
  filled: { eye?: Laterality; patientId?: string };
  /** What the new name says that the image was not given, and why (null when all was taken or known). */
  notTaken: string | null;
  /** A patient created for it, with the look-alike IDs of others (see patient-twins.ts). */
  createdPatient: { pseudonym: string; similar: string[] } | null;
}

/** Whether a person set or cleared the image's field (the clinical details, or the eye on its own). */
function personSet(store: Store, imageId: number, field: 'eye' | 'pseudonym'): boolean {
  const rows = store.db
    .prepare(
      `SELECT action, details FROM audit_log WHERE entity = 'image' AND entity_id = ?
         AND action IN ('image.clinical', 'image.laterality')`,
    )
    .all(imageId) as { action: string; details: string | null }[];
  return rows.some(({ action, details }) => {
    if (action === 'image.laterality') return field === 'eye';
    return field in (details ? (JSON.parse(details) as Record<string, unknown>) : {});
  });
}

/** Fills in image `imageId` from the name it was imported again under; null when the name says nothing. */
export function takeFromDuplicateName(
  store: Store,
  imageId: number,
  fileName: string,
  actor: string,
): NameTaken | null {
  const named = clinicalFromFileName(fileName);
  if (!named.eye && !named.patientId) return null;
  return store.write('fill in an image from its file name', () => {
    const rec = getClinical(store, imageId);
    const out: NameTaken = { filled: {}, notTaken: null, createdPatient: null };
    const refused: string[] = [];
    if (named.eye && named.eye !== rec.eye) {
      if (rec.eye === null && !personSet(store, imageId, 'eye')) {
        store.db.prepare('UPDATE images SET laterality = ? WHERE id = ?').run(named.eye, imageId);
        out.filled.eye = named.eye;
      } else refused.push(`eye ${named.eye} (${rec.eye ? `it is ${rec.eye}` : 'a person cleared its eye'})`);
    }
    if (named.patientId && named.patientId !== rec.pseudonym) {
      if (rec.pseudonym === null && !personSet(store, imageId, 'pseudonym')) {
        const isNew = findPatient(store, named.patientId) === null;
        const patient = ensurePatientTx(store, { pseudonym: named.patientId }, actor);
        const visit = ensureVisitTx(store, { patientId: patient.id, studyDate: null, device: null }, actor);
        store.db.prepare('UPDATE images SET study_id = ? WHERE id = ?').run(visit.id, imageId);
        out.filled.patientId = patient.pseudonym;
        if (isNew)
          out.createdPatient = {
            pseudonym: patient.pseudonym,
            similar: similarPatientIds(store, patient.pseudonym),
          };
      } else
        refused.push(
          `patient ${named.patientId} (${rec.pseudonym ? `it is patient ${rec.pseudonym}'s` : 'a person cleared its patient'})`,
        );
    }
    const after = getClinical(store, imageId);
    const changed: Record<string, [unknown, unknown]> = {};
    if (out.filled.eye) changed.eye = [rec.eye, after.eye];
    if (out.filled.patientId) {
      changed.pseudonym = [rec.pseudonym, after.pseudonym];
      changed.studyId = [rec.studyId, after.studyId];
    }
    // Its own action: the audit trail tells a fill from a file name apart from a person's change.
    if (Object.keys(changed).length > 0)
      recordAudit(store, actor, 'image.clinical.named', 'image', imageId, changed);
    if (refused.length > 0)
      out.notTaken = `this name's ${refused.join(' and ')} not taken: correct it in the image's Clinical details if the name is right`;
    return out;
  });
}
