// The store's integration tests run against both backends: a SQLite file and a PostgreSQL database (a throw-away
// cluster started once per test file, see postgres.ts). Each test gets a new, empty database of its own.
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type OpenStoreOptions, type Store } from '../../main/store/index.js';
import { startPostgres, type PostgresCluster } from './postgres.js';

export type BackendKind = 'sqlite' | 'postgres';
export const STORE_BACKENDS: readonly BackendKind[] = ['sqlite', 'postgres'];

let cluster: Promise<PostgresCluster> | null = null;

/** The test file's PostgreSQL cluster, started on first use and stopped when the process exits. */
export function sharedPostgres(): Promise<PostgresCluster> {
  cluster ??= startPostgres();
  return cluster;
}

export interface TestBackend {
  readonly kind: BackendKind;
  /**
   * Where a new database named `name` lives: a file path, or the URL of a new PostgreSQL database already
   * initialised with its shared folder (so anything given only the URL, a workstation or the CLI, opens it);
   * `init: false`: an empty database (give `sharedDir` when opening it).
   */
  location(name: string, opts?: { init?: boolean }): string;
  /** A new store named `name` (its own database and files folder). */
  open(name: string, opts?: OpenStoreOptions): Store;
  /** The folder holding this backend's files (SQLite databases, or the PostgreSQL stores' shared folders). */
  readonly dir: string;
}

let serial = 0;

/** Call inside a describe(): prepares `kind` before the suite's own hooks run and cleans up after it. */
export function useStoreBackend(kind: BackendKind): TestBackend {
  let dir = '';
  let pg: PostgresCluster | null = null;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), `retina-${kind}-`));
    if (kind === 'postgres') pg = await sharedPostgres();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const backend: TestBackend = {
    kind,
    get dir() {
      return dir;
    },
    location(name: string, { init = true }: { init?: boolean } = {}): string {
      if (kind === 'sqlite') return join(dir, `${name}-${++serial}.db`);
      if (!pg)
        throw new Error('the PostgreSQL cluster is not started yet (use the backend inside a test or hook)');
      const unique = `${name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${process.pid}_${++serial}`;
      const url = pg.createDatabase(unique);
      if (init) openStore(url, { sharedDir: join(dir, unique) }).close();
      return url;
    },
    open(name: string, opts: OpenStoreOptions = {}): Store {
      return openStore(backend.location(name), opts);
    },
  };
  return backend;
}
