// Worklist rows grouped by patient and study, when the images have them (DICOM imports do; plain image files
// have none). Patients keep the order in which the list first mentions them, a patient's studies likewise, and
// rows keep their order inside a group, so the server's sort still decides what comes first.
import type { Id, ImageSummary, PatientSummary, StudySummary } from '../../../shared/contract.js';

export interface GroupHeader {
  key: string;
  patient: string;
  study: string;
  count: number;
}

export interface Grouped {
  /** The images in display order. */
  rows: ImageSummary[];
  /** The header shown above rows[i], for each i that starts a group. */
  headers: Map<number, GroupHeader>;
}

/** True when grouping would say something: at least one image belongs to a patient. */
export function hasPatients(items: ImageSummary[]): boolean {
  return items.some((i) => i.patientId !== '');
}

function studyLabel(s: StudySummary | undefined, studyId: Id): string {
  if (!s) return studyId ? `Study ${studyId}` : '';
  const parts = [s.date ?? 'undated', s.description, s.device].filter((x): x is string => !!x);
  return parts.join(' · ');
}

export function groupImages(
  items: ImageSummary[],
  patients: ReadonlyMap<Id, PatientSummary>,
  studies: ReadonlyMap<Id, StudySummary>,
): Grouped {
  const buckets = new Map<string, ImageSummary[]>();
  const patientRank = new Map<Id, number>();
  for (const im of items) {
    if (!patientRank.has(im.patientId)) patientRank.set(im.patientId, patientRank.size);
    const key = `${im.patientId}/${im.studyId}`;
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = []));
    b.push(im);
  }
  // Images without a patient come last; a stable sort keeps the studies of a patient in first-mention order.
  const rank = (key: string) => {
    const pid = (buckets.get(key) as ImageSummary[])[0].patientId;
    return pid === '' ? Infinity : (patientRank.get(pid) as number);
  };
  const keys = [...buckets.keys()].sort((a, b) => rank(a) - rank(b));
  const rows: ImageSummary[] = [];
  const headers = new Map<number, GroupHeader>();
  for (const key of keys) {
    const b = buckets.get(key) as ImageSummary[];
    const { patientId, studyId } = b[0];
    headers.set(rows.length, {
      key,
      patient: patientId ? (patients.get(patientId)?.pseudonym ?? `Patient ${patientId}`) : 'No patient',
      study: studyLabel(studies.get(studyId), studyId),
      count: b.length,
    });
    rows.push(...b);
  }
  return { rows, headers };
}
