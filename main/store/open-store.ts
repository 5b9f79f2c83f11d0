// The one way in: a SQLite file path opens the single-user store, a postgres:// URL the team store.
import type { OpenStoreOptions, Store } from './database.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { isPostgresUrl } from './sql.js';
import { openSqliteStore } from './sqlite-backend.js';

/**
 * Opens (creating and migrating as needed) a store: a SQLite file path, or a `postgres://` URL. The checks that
 * can refuse a database run before anything is written to it: a newer schema or a failed integrity check leaves
 * it exactly as it was.
 */
export function openStore(location: string, opts: OpenStoreOptions = {}): Store {
  return isPostgresUrl(location) ? openPostgresStore(location, opts) : openSqliteStore(location, opts);
}
