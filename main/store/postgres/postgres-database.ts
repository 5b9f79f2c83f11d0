// The repository modules' SqlDatabase on a PostgreSQL connection: `?` placeholders become `$1, $2, ...`, rows come
// back as objects (or first-column values when plucked), `run` reports the rows it changed.
import type { SqlDatabase, SqlRunResult, SqlStatement } from '../sql.js';
import { connectionFailed, PgBridgeError, type PgConnection } from './pg-bridge.js';
import { DatabaseUnreachableError } from '../errors.js';

/** `?` → `$n`, leaving string literals, quoted names and comments alone. */
export function numberPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const end = closingQuote(sql, i, c);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end < 0 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '?') {
      out += `$${++n}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Index just past the quote that closes the one at `start` (a doubled quote is an escaped one). */
function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

class PostgresStatement implements SqlStatement {
  private plucking = false;
  constructor(
    private readonly conn: PgConnection,
    private readonly text: string,
  ) {}

  pluck(toggle = true): this {
    this.plucking = toggle;
    return this;
  }

  get(...params: unknown[]): unknown {
    return this.all(...params)[0];
  }

  all(...params: unknown[]): unknown[] {
    if (this.plucking) {
      return (this.query(params, 'array').rows as unknown[][]).map((r) => r[0]);
    }
    return this.query(params).rows;
  }

  run(...params: unknown[]): SqlRunResult {
    return { changes: this.query(params).rowCount };
  }

  private query(params: unknown[], rowMode?: 'array'): { rows: unknown[]; rowCount: number } {
    try {
      return this.conn.query(this.text, params, rowMode);
    } catch (err) {
      if (err instanceof PgBridgeError && connectionFailed(err))
        throw new DatabaseUnreachableError(
          `the team database is unreachable (${err.message}); try again when it is back`,
        );
      // With RETINA_DEBUG the failing statement is named (never its values: they may be patient data).
      if (process.env.RETINA_DEBUG && err instanceof Error) err.message += ` [in: ${this.text}]`;
      throw err;
    }
  }
}

export class PostgresDatabase implements SqlDatabase {
  private readonly translated = new Map<string, string>();
  constructor(readonly conn: PgConnection) {}

  prepare(sql: string): SqlStatement {
    let text = this.translated.get(sql);
    if (text === undefined) {
      text = numberPlaceholders(sql);
      this.translated.set(sql, text);
    }
    return new PostgresStatement(this.conn, text);
  }
}
