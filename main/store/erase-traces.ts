// What erased rows leave in other rows' text: a file name or upload path in a job's spec and log, a patient's
// name in the audit of an image moved away from them, a held-out image's file name in a retrain's report. Those
// words are replaced where they stand as whole words (never inside a longer one: erasing "1.png" leaves "11.png"),
// in plain text and in JSON (where a path's backslashes and quotes are escaped), so the rows stay readable.
import type { Store } from './database.js';

const ERASED = '(erased)';

/** The text columns other rows keep about images and patients, and each table's key. */
const TEXT_COLUMNS: { table: string; key: string; columns: string[] }[] = [
  { table: 'audit_log', key: 'id', columns: ['details'] },
  { table: 'jobs', key: 'id', columns: ['spec', 'message', 'error', 'failures'] },
  { table: 'job_log', key: 'id', columns: ['line'] },
  { table: 'training_runs', key: 'id', columns: ['config', 'log', 'outcome'] },
];

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A word too short or too common to stand for a person or a file (a sex code, a one-letter eye) is no needle. */
export function usableNeedles(words: Iterable<string | null | undefined>): string[] {
  const out = new Set<string>();
  for (const w of words) {
    const t = w?.trim();
    if (t && t.length >= 3) out.add(t);
  }
  // Longest first: a path goes whole before the file name inside it.
  return [...out].sort((a, b) => b.length - a.length);
}

/** `text` with every whole-word occurrence of a needle (or its JSON-escaped form) replaced. */
export function redactWords(text: string, needles: readonly string[]): string {
  let out = text;
  for (const needle of needles) {
    const forms = new Set([needle, JSON.stringify(needle).slice(1, -1)]);
    for (const form of forms) {
      if (!out.includes(form)) continue;
      const word = new RegExp(`(?<![\\p{L}\\p{N}_.-])${escapeRegExp(form)}(?![\\p{L}\\p{N}_-])`, 'gu');
      out = out.replace(word, ERASED);
    }
  }
  return out;
}

/** Internal (inside the erasure's write): replaces the needles in every text column that keeps them. */
export function redactTracesTx(store: Store, needles: readonly string[]): number {
  if (needles.length === 0) return 0;
  let changed = 0;
  for (const { table, key, columns } of TEXT_COLUMNS)
    for (const column of columns) {
      // LIKE narrows the rows (loosely: case and wildcards only widen it); the exact test is redactWords'.
      const find = store.db.prepare(
        `SELECT ${key} AS k, ${column} AS v FROM ${table} WHERE ${column} LIKE '%' || ? || '%'`,
      );
      const update = store.db.prepare(`UPDATE ${table} SET ${column} = ? WHERE ${key} = ?`);
      const seen = new Map<string | number, string>();
      for (const needle of needles)
        for (const row of find.all(needle) as { k: string | number; v: string }[]) seen.set(row.k, row.v);
      for (const [k, v] of seen) {
        const redacted = redactWords(v, needles);
        if (redacted === v) continue;
        update.run(redacted, k);
        changed++;
      }
    }
  return changed;
}
