// Worklist rows grouped by patient and visit (the visit's date), from the summaries alone. Groups keep the order in
// which the list first mentions them and rows keep their order inside a group, so the server's sort (by patient,
// visit, eye, file name) still decides what comes first; images without a patient come last.
import type { ImageSummary } from '../../../shared/contract.js';

export interface GroupHeader {
  key: string;
  patient: string;
  /** The visit: its date ("undated" when unknown) and the cameras used, e.g. "2024-03-15 · Topcon TRC-50". */
  visit: string;
  count: number;
  /** The list stops inside this group (more of the study is not loaded yet): `count` is what is shown so far. */
  more?: boolean;
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

function visitLabel(images: ImageSummary[]): string {
  if (images[0].patientId === '') return '';
  const cameras = [...new Set(images.map((i) => i.camera).filter((c): c is string => !!c))];
  return [images[0].visitDate ?? 'undated', ...cameras].join(' · ');
}

const keyOf = (im: ImageSummary): string =>
  im.patientId === '' ? '' : `${im.patientId}/${im.visitDate ?? ''}`;

/** `complete`: every row of the list is loaded; else the last group may go on past the loaded rows. */
export function groupImages(items: ImageSummary[], complete = true): Grouped {
  const buckets = new Map<string, ImageSummary[]>();
  for (const im of items) {
    const key = keyOf(im);
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = []));
    b.push(im);
  }
  // Every visit of a patient follows the patient's first group; the no-patient group goes last.
  const patientRank = new Map<string, number>();
  for (const im of items) if (!patientRank.has(im.patientId)) patientRank.set(im.patientId, patientRank.size);
  const rank = (key: string) => {
    const pid = (buckets.get(key) as ImageSummary[])[0].patientId;
    return pid === '' ? Infinity : (patientRank.get(pid) as number);
  };
  const keys = [...buckets.keys()].sort((a, b) => rank(a) - rank(b));
  const rows: ImageSummary[] = [];
  const headers = new Map<number, GroupHeader>();
  for (const key of keys) {
    const b = buckets.get(key) as ImageSummary[];
    const first = b[0];
    headers.set(rows.length, {
      key,
      patient: first.patientId ? (first.patientPseudonym ?? `Patient ${first.patientId}`) : 'No patient',
      visit: visitLabel(b),
      count: b.length,
    });
    rows.push(...b);
  }
  // The server sorts by patient and visit, so only the group the loaded rows end in can go on beyond them.
  const lastOfList = items.length > 0 ? buckets.get(keyOf(items[items.length - 1])) : undefined;
  if (!complete && lastOfList)
    for (const h of headers.values()) if (buckets.get(h.key) === lastOfList) h.more = true;
  return { rows, headers };
}
