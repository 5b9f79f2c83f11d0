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

/** Whether a store location names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** A SQLite path made absolute; a PostgreSQL URL as it is. */
export function resolveLocation(location: string): string {
  return isPostgresUrl(location) ? location : resolve(location);
}

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
