// What erased rows leave in other rows' text: a patient's ID in the audit of an image moved away from them, an
// upload path named after the patient in a job's spec, a held-out image's file name in a retrain's report. Those
// are replaced by "(erased)", and nothing else is: JSON is read and only its strings are looked at (a patient ID
// "100" is not the 100 of "epochs": 100); a patient's ID or name goes where a path's folder is exactly it, or a
// string that stands for a patient (under keys such as `pseudonym`: a patient called "test" leaves the "test" of
// `"split": "test"` alone); an import path where it is exactly the erased photograph's; a bare file name only
// inside an entry about an erased image (another patient's IMG_0001.JPG stays); free text (log lines) only in the
// rows of jobs and runs that handled an erased image. A job still queued or running is left as it is: rewriting
// its spec would break it.
import type { Store } from './database.js';

const ERASED = '(erased)';

export interface Traces {
  /** IDs (now and before a rename, of merged-in records too) and names of the erased patients. */
  patientWords: readonly string[];
  /** Where the erased photographs were imported from (full paths). */
  paths: readonly string[];
  /** The erased photographs' file names. */
  fileNames: readonly string[];
  imageIds: ReadonlySet<number>;
}

const nfc = (s: string): string => s.normalize('NFC');

function wordSet(words: readonly string[]): Set<string> {
  return new Set(words.map((w) => nfc(w.trim())).filter((w) => w.length > 0));
}

interface Matcher {
  patient: Set<string>;
  /** The patient words distinctive enough to stand for them as a folder name: 4+ characters, a letter among them. */
  folders: Set<string>;
  paths: Set<string>;
  files: Set<string>;
  imageIds: ReadonlySet<number>;
}

const PATH_SEPARATOR = /([/\\])/;

/** Keys whose strings stand for a patient (audit details of clinical changes, renames, merges). */
const PATIENT_KEYS = new Set(['pseudonym', 'patientId', 'patientName', 'name', 'from', 'to']);

/**
 * A string of a row: replaced whole (a patient's ID or name where it stands for a patient, the erased
 * photograph's path, its file name in an entry about it), or the folders of a path that are exactly a patient's.
 */
function redactString(s: string, m: Matcher, aboutErased: boolean, patientKey: boolean): string {
  const t = nfc(s);
  if ((patientKey && m.patient.has(t)) || m.paths.has(t) || (aboutErased && m.files.has(t))) return ERASED;
  if (!PATH_SEPARATOR.test(t)) return s;
  const parts = t.split(PATH_SEPARATOR);
  // A folder named after the patient goes, if its name could only be theirs (`/srv/data/models/1` keeps its `1`
  // and its `data` when patient "1" or "data" is erased); a file name inside a path only as the whole path (above):
  // another patient's folder may hold a file of the same name (IMG_0001.JPG).
  const out = parts.map((p) => (m.folders.has(p) ? ERASED : p)).join('');
  return out === t ? s : out;
}

/** `value` with its strings redacted; an object naming an erased image (`imageId`) is about it, and all inside. */
function redactJson(value: unknown, m: Matcher, aboutErased: boolean, patientKey = false): unknown {
  if (typeof value === 'string') return redactString(value, m, aboutErased, patientKey);
  if (Array.isArray(value)) return value.map((v) => redactJson(v, m, aboutErased, patientKey));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const about = aboutErased || (typeof obj.imageId === 'number' && m.imageIds.has(obj.imageId));
  return Object.fromEntries(
    Object.entries(obj).map(([k, v]) => [k, redactJson(v, m, about, PATIENT_KEYS.has(k))]),
  );
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Free text (a log line) of a row that handled an erased image: every erased word, as a whole word. */
export function redactWords(text: string, words: readonly string[]): string {
  let out = nfc(text);
  for (const word of [...words].sort((a, b) => b.length - a.length)) {
    if (word.length < 3 || !out.includes(word)) continue;
    const whole = new RegExp(`(?<![\\p{L}\\p{N}_.-])${escapeRegExp(word)}(?![\\p{L}\\p{N}_-])`, 'gu');
    out = out.replace(whole, ERASED);
  }
  return out === nfc(text) ? text : out;
}

/** A JSON column's text redacted (unchanged text when nothing in it was erased; unparsable text left alone). */
function redactJsonText(text: string, m: Matcher, aboutErased: boolean): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  const redacted = JSON.stringify(redactJson(parsed, m, aboutErased));
  return redacted === JSON.stringify(parsed) ? text : redacted;
}

/** Whether a JSON text names one of `ids` as its `imageId` or among its `imageIds` (numbers or id strings). */
function mentionsErasedImage(json: string | null, ids: ReadonlySet<number>): boolean {
  if (!json || !json.includes('imageId')) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return false;
  }
  const isErased = (v: unknown) => (typeof v === 'number' || typeof v === 'string') && ids.has(Number(v));
  const walk = (v: unknown): boolean => {
    if (Array.isArray(v)) return v.some(walk);
    if (v === null || typeof v !== 'object') return false;
    const o = v as Record<string, unknown>;
    if (isErased(o.imageId) || (Array.isArray(o.imageIds) && o.imageIds.some(isErased))) return true;
    return Object.values(o).some(walk);
  };
  return walk(parsed);
}

/** Internal (inside the erasure's write): the traces of erased images and patients in other rows. */
export function redactTracesTx(store: Store, traces: Traces): number {
  const m: Matcher = {
    patient: wordSet(traces.patientWords),
    folders: new Set([...wordSet(traces.patientWords)].filter((w) => w.length >= 4 && /\p{L}/u.test(w))),
    paths: wordSet(traces.paths),
    files: wordSet(traces.fileNames),
    imageIds: traces.imageIds,
  };
  const allWords = [...m.patient, ...m.paths, ...m.files];
  let changed = 0;
  const update = (table: string, column: string, key: string | number, before: string, after: string) => {
    if (after === before) return;
    store.db.prepare(`UPDATE ${table} SET ${column} = ? WHERE id = ?`).run(after, key);
    changed++;
  };

  // The audit of other rows: only a patient's ID or name can be there (the erased rows' own are cleared).
  // LIKE narrows the rows (loosely: case only widens it); the exact test is redactJsonText's.
  const find = store.db.prepare("SELECT id, details FROM audit_log WHERE details LIKE '%' || ? || '%'");
  const audit = new Map<number, string>();
  for (const word of m.patient)
    for (const r of find.all(JSON.stringify(word).slice(1, -1)) as { id: number; details: string }[])
      audit.set(r.id, r.details);
  for (const [id, details] of audit)
    update('audit_log', 'details', id, details, redactJsonText(details, m, false));

  // Jobs: a job that handled an erased image (its spec names the path or the image) is about it throughout.
  const jobs = store.db
    .prepare(`SELECT id, spec, message, error, failures FROM jobs WHERE state NOT IN ('queued', 'running')`)
    .all() as {
    id: string;
    spec: string;
    message: string | null;
    error: string | null;
    failures: string | null;
  }[];
  for (const j of jobs) {
    const about =
      mentionsErasedImage(j.spec, m.imageIds) ||
      [...m.paths].some((p) => j.spec.includes(JSON.stringify(p).slice(1, -1)));
    update('jobs', 'spec', j.id, j.spec, redactJsonText(j.spec, m, about));
    for (const column of ['error', 'failures'] as const) {
      const v = j[column];
      if (v) update('jobs', column, j.id, v, redactJsonText(v, m, about));
    }
    if (!about) continue;
    if (j.message) update('jobs', 'message', j.id, j.message, redactWords(j.message, allWords));
    const lines = store.db.prepare('SELECT id, line FROM job_log WHERE job_id = ?').all(j.id) as {
      id: number;
      line: string;
    }[];
    for (const l of lines) update('job_log', 'line', l.id, l.line, redactWords(l.line, allWords));
  }

  // Retrain runs: held-out and trained-on entries name the image by id; the run's log only if it used one.
  const runs = store.db.prepare('SELECT id, config, log, outcome FROM training_runs').all() as {
    id: number;
    config: string;
    log: string;
    outcome: string | null;
  }[];
  // A run knows images, never patients: only the erased images' names and paths are looked for there.
  const imagesOnly: Matcher = { ...m, patient: new Set(), folders: new Set() };
  const imageWords = [...m.paths, ...m.files];
  for (const r of runs) {
    update('training_runs', 'config', r.id, r.config, redactJsonText(r.config, imagesOnly, false));
    if (r.outcome)
      update('training_runs', 'outcome', r.id, r.outcome, redactJsonText(r.outcome, imagesOnly, false));
    if (mentionsErasedImage(r.config, m.imageIds) || mentionsErasedImage(r.outcome, m.imageIds))
      update('training_runs', 'log', r.id, r.log, redactWords(r.log, imageWords));
  }
  return changed;
}
