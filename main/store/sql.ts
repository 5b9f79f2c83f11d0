// The part of a SQL connection the repository modules use: prepared statements with positional `?` parameters,
// read as rows (`get`, `all`), as first-column values (`pluck()`), or run for their effect. better-sqlite3's
// Database is one; the PostgreSQL backend (postgres/postgres-database.ts) is the other. Repository SQL is kept to
// what both dialects read the same way: `INSERT ... RETURNING id`, COALESCE, ON CONFLICT, quoted camelCase
// aliases, times computed in JavaScript.
import { resolve } from 'node:path';
import { ACCENT_FOLDS, LATIN_ACCENTS_PATTERN, LETTER_SPELLINGS } from '../../shared/search-fold.js';

export interface SqlRunResult {
  changes: number;
}

export interface SqlStatement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): SqlRunResult;
  /** Rows become their first column's value. */
  pluck(toggle?: boolean): this;
}

export interface SqlDatabase {
  prepare(sql: string): SqlStatement;
}

export type StoreBackendKind = 'sqlite' | 'postgres';

/** The SQLite function, registered on every connection of a store, that folds text as searchFold does. */
export const SEARCH_FOLD_FUNCTION = 'retina_search_fold';

/**
 * `expr` folded for a case- and accent-insensitive search in the backend's SQL: on SQLite, searchFold itself
 * (SQLite's LOWER folds ASCII alone); on PostgreSQL, searchFold's steps in SQL: the NFD form without the accents of
 * Latin letters, back to NFC, letters like `ß` and `ø` spelled out (TRANSLATE, and REPLACE for two letters), then
 * LOWER (every script, by the database's locale; last, so that even a C locale folds `Ü` as `u`). Where the
 * server's encoding is not UTF8 (`unicode` false) NORMALIZE refuses to work: such a database stores only its
 * encoding's characters, all precomposed (the query is made NFC in JavaScript to match), and TRANSLATE folds them
 * by `folds` (searchFold's ACCENT_FOLDS, less the letters the encoding cannot hold, which cannot be sent either).
 */
export function searchFoldSql(
  kind: StoreBackendKind,
  expr: string,
  unicode = true,
  folds: readonly (readonly [string, string])[] = ACCENT_FOLDS,
): string {
  if (kind === 'sqlite') return `${SEARCH_FOLD_FUNCTION}(${expr})`;
  // A TRANSLATE costs its whole table for every character of every row: the full table is for the fallback alone.
  const bare = `NORMALIZE(REGEXP_REPLACE(NORMALIZE(${expr}, NFD), '${LATIN_ACCENTS_PATTERN}', '\\1', 'g'), NFC)`;
  return `LOWER(${spellOut(unicode ? bare : expr, unicode ? Object.entries(LETTER_SPELLINGS) : folds)})`;
}

/**
 * `sql` with each letter of `spellings` replaced: one TRANSLATE (which also turns each letter spelled in two into
 * the first letter spelled so, `ẞ` into `ß`), then a REPLACE for each two-letter spelling (each a pass over every
 * row: as few as can be). Letters alone (never a quote), so plain literals.
 */
function spellOut(sql: string, spellings: readonly (readonly [string, string])[]): string {
  const first = new Map<string, string>();
  for (const [letter, spelled] of spellings)
    if (spelled.length > 1 && !first.has(spelled)) first.set(spelled, letter);
  const translated = spellings.filter(
    ([letter, spelled]) => spelled.length === 1 || first.get(spelled) !== letter,
  );
  if (translated.length) {
    const from = translated.map(([letter]) => letter).join('');
    const to = translated
      .map(([, spelled]) => (spelled.length === 1 ? spelled : first.get(spelled)))
      .join('');
    sql = `TRANSLATE(${sql}, '${from}', '${to}')`;
  }
  for (const [spelled, letter] of first) sql = `REPLACE(${sql}, '${letter}', '${spelled}')`;
  return sql;
}

/** Whether a store location names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * A SQLite path made absolute; a PostgreSQL URL as it is. Any other URL (`mysql://`, a mistyped `postgress://` or
 * `postgres:/`) is refused: read as a path it became folders named after the URL, its password among them, with a
 * new empty database inside.
 */
export function resolveLocation(location: string): string {
  if (isPostgresUrl(location)) return location;
  if (/^[a-z][a-z0-9+.-]+:\//i.test(location)) {
    const shown = location.replace(/^([^/]*\/\/?[^:@/]*:)[^@/]*@/, '$1***@');
    throw new ForeignDatabaseUrlError(
      `${shown} is not a database RetinaStudio opens: give a SQLite file's path, or postgres://user@host/db for a team database`,
    );
  }
  return resolve(location);
}

/** A database location that is a URL, but not PostgreSQL's. */
export class ForeignDatabaseUrlError extends Error {}

/** A PostgreSQL URL with its password replaced, for messages and logs. */
export function redactUrl(location: string): string {
  if (!isPostgresUrl(location)) return location;
  try {
    const url = new URL(location);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://(unreadable URL)';
  }
}
