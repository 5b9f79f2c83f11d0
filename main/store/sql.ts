// The part of a SQL connection the repository modules use: prepared statements with positional `?` parameters,
// read as rows (`get`, `all`), as first-column values (`pluck()`), or run for their effect. better-sqlite3's
// Database is one; the PostgreSQL backend (postgres/postgres-database.ts) is the other. Repository SQL is kept to
// what both dialects read the same way: `INSERT ... RETURNING id`, COALESCE, ON CONFLICT, quoted camelCase
// aliases, times computed in JavaScript.
import { resolve } from 'node:path';

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
 * `expr` folded for a case-insensitive search in the backend's SQL: on SQLite, searchFold itself (SQLite's LOWER
 * folds ASCII alone); on PostgreSQL, its LOWER (every script, by the database's locale) of the NFC form, or LOWER
 * alone where the server's encoding is not UTF8 (`unicode` false): NORMALIZE refuses every other encoding, and
 * such a database stores only its encoding's characters, which the query is made NFC in JavaScript to match.
 */
export function searchFoldSql(kind: StoreBackendKind, expr: string, unicode = true): string {
  if (kind === 'sqlite') return `${SEARCH_FOLD_FUNCTION}(${expr})`;
  return unicode ? `LOWER(NORMALIZE(${expr}, NFC))` : `LOWER(${expr})`;
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
