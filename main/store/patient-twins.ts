// Patient IDs that are probably one person's, written two ways: `AB12` and `ab12`, `0012` and `12`. Never merged
// by an import (two people may truly differ only so, and images attached to the wrong person are worse than two
// groups of one person's): the import says so, and a person merges them in the clinical details.
import type { Store } from './database.js';

/** The ID with letter case and the leading zeros of each number left out: equal keys, probably one patient. */
export function patientIdKey(pseudonym: string): string {
  return pseudonym
    .normalize('NFC')
    .toLowerCase()
    .replace(/(^|\D)0+(?=\d)/g, '$1');
}

/** The other patients whose IDs differ from `pseudonym` only in letter case or leading zeros. */
export function similarPatientIds(store: Store, pseudonym: string): string[] {
  const key = patientIdKey(pseudonym);
  const others = store.db
    .prepare('SELECT pseudonym FROM patients WHERE pseudonym <> ? ORDER BY id')
    .pluck()
    .all(pseudonym) as string[];
  return others.filter((p) => patientIdKey(p) === key);
}

/** What to tell the user of a patient just created beside look-alike IDs, and how to merge them. */
export function similarPatientWarning(created: string, similar: readonly string[]): string {
  const existing = similar.length === 1 ? `patient ${similar[0]}` : `patients ${similar.join(', ')}`;
  return (
    `new patient ${created} differs from existing ${existing} only in letter case or leading zeros. If they are ` +
    `one person, set this image's patient ID to ${similar[0]} in its Clinical details (the workstation's ` +
    `worklist): ${created} is then merged into ${similar[0]}`
  );
}
