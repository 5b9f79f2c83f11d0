// A patient named on the command line by the ID the clinic typed: one Unicode form, no stray spaces; a near miss
// in case is named rather than guessed.
import { findPatient, imagesOfPatient, listPatients, NotFoundError, type Store } from '../store/index.js';
import { isCalendarDate } from '../../shared/clinical-dates.js';

/** A usage mistake in the patient options (exit 2, not 1). */
export class PatientArgUsageError extends Error {}

export function patientByPseudonym(store: Store, typed: string): number {
  const id = typed.normalize('NFC').trim();
  const found = findPatient(store, id);
  if (found) return found.id;
  const twin = listPatients(store).find((p) => p.pseudonym.toLowerCase() === id.toLowerCase());
  throw new NotFoundError(`no patient with ID ${id}${twin ? ` (there is ${twin.pseudonym})` : ''}`);
}

/**
 * --visit-date as given, when it is a calendar date as visits are stored (YYYY-MM-DD); anything else is a usage
 * error naming that form. Unchecked, 09/01/2026 was taken and then reported as a visit the patient never had.
 */
export function visitDateArg(typed: string | undefined): string | undefined {
  if (typed === undefined || isCalendarDate(typed)) return typed;
  throw new PatientArgUsageError(
    `--visit-date takes a calendar date as YYYY-MM-DD (2026-01-09), not '${typed}'`,
  );
}

/** The images of the patients named (of one visit date, with exactly one patient); none is an error. */
export function imagesOfPatients(store: Store, typed: readonly string[], visitDate?: string): number[] {
  if (visitDate !== undefined && typed.length !== 1)
    throw new PatientArgUsageError('--visit-date needs exactly one --patient');
  visitDateArg(visitDate);
  return typed.flatMap((t) => {
    const images = imagesOfPatient(store, patientByPseudonym(store, t), visitDate);
    if (images.length === 0)
      throw new NotFoundError(`patient ${t} has no images${visitDate ? ` of a visit on ${visitDate}` : ''}`);
    return images;
  });
}
