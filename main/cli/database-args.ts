// Which study database a command works on: `--database URL|PATH` (alias `--db`), else RETINA_DATABASE_URL, else
// RETINA_DB, else the per-user data folder's SQLite file. A `postgres://` URL is a team database, whose files live
// in a shared folder (`--shared-dir`, RETINA_SHARED_DIR, or as recorded in the database).
import { resolve } from 'node:path';
import { defaultDatabasePath, ForeignDatabaseUrlError, resolveLocation } from '../store/index.js';
import type { OptionSpec, Parsed } from './args.js';
import { UsageError } from './errors.js';

export const DATABASE_OPTIONS: OptionSpec = {
  db: { type: 'string' },
  database: { type: 'string' },
  'shared-dir': { type: 'string' },
};

/** The options' help lines, the descriptions starting at `column` like the rest of the command's help. */
export function databaseHelp(column = 20): string {
  const line = (name: string, text: string[]): string => {
    const head = `  ${name}`;
    // A name too long for the column gets a line of its own.
    const first =
      head.length < column ? head.padEnd(column) + text[0] : `${head}\n${' '.repeat(column)}${text[0]}`;
    return [first, ...text.slice(1).map((t) => ' '.repeat(column) + t)].join('\n');
  };
  return [
    line('--database URL|PATH', [
      'study database: a SQLite file, or postgres://user@host/db for a team database',
      '(default: $RETINA_DATABASE_URL, else $RETINA_DB, else the per-user data folder); also --db',
    ]),
    line('--shared-dir DIR', [
      "a team database's shared folder for image and mask files (recorded at db init; given",
      'again where the share is mounted elsewhere; default: $RETINA_SHARED_DIR)',
    ]),
  ].join('\n');
}

/** The database location: a resolved file path or a postgres:// URL. */
export function databaseLocation(
  values: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const database = typeof values.database === 'string' ? values.database : undefined;
  const db = typeof values.db === 'string' ? values.db : undefined;
  if (database !== undefined && db !== undefined && database !== db) {
    throw new UsageError('--database and --db name different databases: give one');
  }
  const given = database ?? db ?? env.RETINA_DATABASE_URL ?? defaultDatabasePath(env);
  try {
    return resolveLocation(given);
  } catch (err) {
    if (err instanceof ForeignDatabaseUrlError) throw new UsageError(err.message);
    throw err;
  }
}

/** Applies `--shared-dir` for this process and the workers and processes it starts. */
export function applySharedDir(values: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): void {
  const dir = values['shared-dir'];
  if (typeof dir === 'string') env.RETINA_SHARED_DIR = resolve(dir);
}

/** Both at once, for a command parsed with DATABASE_OPTIONS. */
export function databaseFromArgs(p: Parsed): string {
  applySharedDir(p.values);
  return databaseLocation(p.values);
}
