// Every SQLite connection of the app: under Electron, better-sqlite3's native module built for Electron's ABI
// (Node's, which `npm ci` builds, does not load there), named by RETINA_SQLITE_BINDING (bin/start.mjs makes it).
import Database from 'better-sqlite3';

export function sqliteOptions(
  opts: Database.Options = {},
  runtime: { versions: NodeJS.ProcessVersions; env: NodeJS.ProcessEnv } = process,
): Database.Options {
  // Only in Electron: the command-line tool and browser mode keep Node's build whatever the environment says.
  const binding = runtime.versions.electron ? runtime.env.RETINA_SQLITE_BINDING : undefined;
  return binding ? { ...opts, nativeBinding: binding } : opts;
}

/** A better-sqlite3 connection with the binding this process needs. */
export function openSqliteFile(file: string, opts: Database.Options = {}): Database.Database {
  return new Database(file, sqliteOptions(opts));
}

/** A read-only connection to a database held in memory (`bytes`: a SQLite file's contents). */
export function openSqliteImage(bytes: Buffer): Database.Database {
  return new Database(bytes, sqliteOptions({ readonly: true }));
}
