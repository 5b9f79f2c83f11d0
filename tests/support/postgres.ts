// A throw-away PostgreSQL cluster for tests and benchmarks: Debian's `postgresql` binaries (initdb, pg_ctl) in a
// temporary folder, listening on a free loopback port only (no Unix socket), trust authentication for its one
// superuser, and stopped and deleted afterwards. PostgreSQL refuses to run as root, so under root (CI containers)
// the cluster runs as the `postgres` system user that the Debian package creates.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PostgresCluster {
  /** `postgres://retina@127.0.0.1:PORT/` + a database name. */
  url(database?: string): string;
  /**
   * Creates an empty database and returns its URL. `encoding` (e.g. 'LATIN1'): a database whose server encoding is
   * not the cluster's UTF8, as a team's older server may hold (made from template0 with the C locale, the one
   * locale every encoding accepts).
   */
  createDatabase(name: string, opts?: { encoding?: string }): string;
  port: number;
  /** The server's log (pg_ctl -l): what a team's DBA reads, ERROR lines and all. */
  readonly logFile: string;
  /** Stops the server, keeping its data (a database going down); `start` brings it back on the same port. */
  pause(): void;
  start(): void;
  stop(): void;
}

const SUPERUSER = 'retina';

/** The folder holding initdb and pg_ctl: $PG_BIN, else the newest /usr/lib/postgresql/N/bin, else PATH. */
export function postgresBinaries(): string | null {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'pg_ctl'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(root, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  return which.status === 0 && found ? join(found, '..') : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** uid/gid of the `postgres` user when this process is root (PostgreSQL will not run as root). */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string): number =>
    Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('running as root needs the `postgres` system user (Debian package postgresql)');
  }
}

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = postgresBinaries();
  if (!bin) throw new Error('PostgreSQL is not installed (Debian: apt-get install postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'retina-pg-'));
  const user = runAs();
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const run = (tool: string, args: string[]): void => {
    const r = spawnSync(join(bin, tool), args, {
      encoding: 'utf8',
      ...(user ?? {}),
      env: { ...process.env, LC_ALL: 'C.UTF-8' },
    });
    if (r.status !== 0) throw new Error(`${tool} failed: ${r.stderr || r.stdout || r.error?.message}`);
  };
  run('initdb', ['-D', data, '-A', 'trust', '-U', SUPERUSER, '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    "-c unix_socket_directories=''",
    // A test cluster: durability is not what is being tested, speed is welcome.
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  const logFile = join(dir, 'server.log');
  const start = (): void => run('pg_ctl', ['-D', data, '-o', options, '-l', logFile, '-w', 'start']);
  start();
  let stopped = false;
  const url = (database = 'postgres'): string => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    spawnSync(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], { ...(user ?? {}) });
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  return {
    port,
    logFile,
    url,
    createDatabase(name: string, { encoding }: { encoding?: string } = {}): string {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      if (encoding !== undefined && !/^[A-Za-z0-9_]+$/.test(encoding))
        throw new Error(`not an encoding name: ${encoding}`);
      const psql = join(bin, 'psql');
      const sql =
        encoding === undefined
          ? `CREATE DATABASE ${name}`
          : `CREATE DATABASE ${name} ENCODING '${encoding}' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`;
      const r = spawnSync(psql, ['-v', 'ON_ERROR_STOP=1', '-q', url(), '-c', sql], {
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`CREATE DATABASE ${name} failed: ${r.stderr}`);
      return url(name);
    },
    pause: () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
    start,
    stop,
  };
}
