// The audit log as a hash chain, so that a row edited, deleted or inserted by hand (sqlite3, psql) after the app
// wrote it shows: each row keeps the hash of the row before it (`prev_hash`) and the SHA-256 of that hash with its
// own content (`hash`). Anyone who can write the database and knows this scheme can still rewrite the whole chain
// after the row they forged: the head hash `retina db check` prints, noted elsewhere, is what shows that.
import { createHash } from 'node:crypto';
import type { SqlDatabase } from './sql.js';

/** The schema version that added the chain: an older study (read, not upgraded) has none to verify. */
export const AUDIT_CHAIN_SINCE = 14;

/** The `prev_hash` of the first row. */
export const CHAIN_START = '0'.repeat(64);

/** An audit row as stored (column names as stored: PostgreSQL folds aliases to lower case). */
export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entity_id: number | null;
  details: string | null;
}

/** A row with its links in the chain. */
interface ChainRow extends AuditRow {
  prev_hash: string | null;
  hash: string | null;
}

/** The hash of a row's content chained on `prev`: every column the app writes, in a fixed order. */
export function auditRowHash(prev: string, r: AuditRow): string {
  const content = JSON.stringify([r.id, r.at, r.actor, r.action, r.entity, r.entity_id, r.details]);
  return createHash('sha256').update(`${prev}\n${content}`).digest('hex');
}

export interface ChainBreak {
  /** The audit row where the chain breaks. */
  row: number;
  /** edited: its content changed; unlinked: rows before it were deleted or inserted; unsealed: it has no hash. */
  problem: 'edited' | 'unlinked' | 'unsealed';
  message: string;
}

export interface ChainReport {
  ok: boolean;
  rows: number;
  /** The last row and its hash: noted elsewhere, it shows later whether the chain was rewritten up to it. */
  head: { row: number; hash: string | null } | null;
  /** The first break, if any, and how many rows in all do not verify. */
  firstBreak: ChainBreak | null;
  breaks: number;
}

const PAGE = 5000;

/** Every audit row in id order, a page at a time (a long-used study has many). */
function* chainRows(db: SqlDatabase): Generator<ChainRow> {
  const page = db.prepare(
    'SELECT id, at, actor, action, entity, entity_id, details, prev_hash, hash FROM audit_log WHERE id > ? ORDER BY id LIMIT ?',
  );
  for (let after = -1; ;) {
    const rows = page.all(after, PAGE) as ChainRow[];
    yield* rows;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1].id;
  }
}

function breakOf(r: ChainRow, expectedPrev: string, prevRow: number | null): ChainBreak | null {
  if (r.hash === null || r.prev_hash === null)
    return {
      row: r.id,
      problem: 'unsealed',
      message: `audit row ${r.id} has no hash: it was inserted or altered outside RetinaStudio`,
    };
  if (r.prev_hash !== expectedPrev)
    return {
      row: r.id,
      problem: 'unlinked',
      message:
        prevRow === null
          ? `audit row ${r.id} is not the first row written: rows before it were deleted`
          : `audit row ${r.id} does not follow row ${prevRow}: rows between them were deleted, or rows inserted`,
    };
  if (auditRowHash(r.prev_hash, r) !== r.hash)
    return {
      row: r.id,
      problem: 'edited',
      message: `audit row ${r.id} was changed after it was written (its content no longer matches its hash)`,
    };
  return null;
}

/** Walks the chain and reports where it breaks; reads only. */
export function verifyAuditChain(db: SqlDatabase): ChainReport {
  let expected = CHAIN_START;
  let prevRow: number | null = null;
  let rows = 0;
  let breaks = 0;
  let firstBreak: ChainBreak | null = null;
  let head: ChainReport['head'] = null;
  for (const r of chainRows(db)) {
    rows++;
    const b = breakOf(r, expected, prevRow);
    if (b) {
      breaks++;
      firstBreak ??= b;
    }
    // The next row is checked against this one as stored, so one edit is reported once, at its own row.
    expected = r.hash ?? '';
    prevRow = r.id;
    head = { row: r.id, hash: r.hash };
  }
  return { ok: breaks === 0, rows, head, firstBreak, breaks };
}

/**
 * The audit row whose hash is `hash` (a head noted earlier), or null. Each hash covers every row before its own, so
 * a noted head that is still there, in a chain that verifies, shows nothing up to it was rewritten since.
 */
export function auditRowWithHash(db: SqlDatabase, hash: string): number | null {
  const id = db.prepare('SELECT id FROM audit_log WHERE hash = ?').pluck().get(hash.toLowerCase());
  return typeof id === 'number' ? id : id === undefined || id === null ? null : Number(id);
}

/** The rows that do not verify now (all of them, not just the first). */
export function brokenAuditRows(db: SqlDatabase): Set<number> {
  const out = new Set<number>();
  let expected = CHAIN_START;
  let prevRow: number | null = null;
  for (const r of chainRows(db)) {
    if (breakOf(r, expected, prevRow)) out.add(r.id);
    expected = r.hash ?? '';
    prevRow = r.id;
  }
  return out;
}

/**
 * Inside a write: chains again every row whose link or hash no longer matches, except `keep` (rows that were broken
 * before the write, which stay broken: a legitimate rewrite must not hide an earlier forgery). Returns the ids
 * rewritten. For the migration that chains an existing log, and after an erasure rewrote rows' details.
 */
export function resealAuditChain(db: SqlDatabase, keep: ReadonlySet<number> = new Set()): number[] {
  const rewrite = db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?');
  const changed: { id: number; prev: string; hash: string }[] = [];
  let expected = CHAIN_START;
  for (const r of chainRows(db)) {
    if (keep.has(r.id)) {
      expected = r.hash ?? '';
      continue;
    }
    const hash = auditRowHash(expected, r);
    if (r.prev_hash !== expected || r.hash !== hash) changed.push({ id: r.id, prev: expected, hash });
    expected = hash;
  }
  // Written after the walk: the pages it reads are those as they were.
  for (const c of changed) rewrite.run(c.prev, c.hash, c.id);
  return changed.map((c) => c.id);
}
