// A team database restarted under a running server or worker: its connection is dropped by the server. The store
// connects again at the next statement that starts outside a transaction (it used to answer "Client has encountered
// a connection error and is not queryable" until the process was restarted), and a transaction cut in the middle
// fails whole: nothing of it is committed, not even on the new connection.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { postgresBinaries, startPostgres, type PostgresCluster } from '../support/postgres.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { sharedPostgres, useStoreBackend } from '../support/store-backends.js';
import { DatabaseUnreachableError, openStore, type Store } from '../../main/store/index.js';
import { recordAudit } from '../../main/store/audit.js';
import { createWorkstation } from '../../main/handlers/index.js';
import { startServer } from '../../main/server/index.js';
import { Accounts } from '../../main/accounts/accounts.js';
import { raw } from './raw-http.js';

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

describe(
  'a team database whose server drops the connection',
  { skip: !postgresBinaries() && 'no PostgreSQL' },
  () => {
    const backend = useStoreBackend('postgres');
    let pg: PostgresCluster;
    let store: Store;
    before(async () => {
      pg = await sharedPostgres();
      store = backend.open('reconnect');
    });
    after(() => store?.close());

    /** Ends every other session on the store's database, as a restart of PostgreSQL does. */
    const dropConnections = () => {
      const database = new URL(store.path).pathname.slice(1);
      const r = spawnSync(
        join(postgresBinaries()!, 'psql'),
        [
          '-qAt',
          pg.url(),
          '-c',
          `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '${database}' AND pid <> pg_backend_pid()`,
        ],
        { encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.ok(Number(r.stdout.trim()) >= 1, 'no session was ended');
      pause(300); // the client hears of it
    };
    const audits = () => store.db.prepare('SELECT COUNT(*) FROM audit_log').pluck().get() as number;

    test('a statement after the drop runs on a new connection', () => {
      const before = audits();
      dropConnections();
      assert.equal(audits(), before);
      store.write('note', () => recordAudit(store, 'tester', 'test.note', 'user', null));
      assert.equal(audits(), before + 1);
    });

    test('a transaction cut in the middle fails whole and commits nothing; the next one works', () => {
      const before = audits();
      assert.throws(() =>
        store.write('two notes', () => {
          recordAudit(store, 'tester', 'test.first', 'user', null);
          dropConnections();
          recordAudit(store, 'tester', 'test.second', 'user', null);
        }),
      );
      assert.equal(audits(), before, 'part of the cut transaction was committed');
      store.write('note', () => recordAudit(store, 'tester', 'test.after', 'user', null));
      assert.equal(audits(), before + 1);
    });
  },
);

describe(
  'a team database that goes down and comes back',
  { skip: !postgresBinaries() && 'no PostgreSQL' },
  () => {
    let pg: PostgresCluster;
    let dir: string;
    let store: Store;
    let url: string;
    before(async () => {
      pg = await startPostgres(); // its own cluster: stopping it must not touch the other tests' databases
      dir = mkdtempSync(join(tmpdir(), 'retina-pg-down-'));
      url = pg.createDatabase('down_and_up');
      store = openStore(url, { sharedDir: join(dir, 'files') });
    });
    after(() => {
      store?.close();
      pg?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('while down, a request says the database is unreachable; once back, requests work again', () => {
      const images = () => store.db.prepare('SELECT COUNT(*) FROM images').pluck().get();
      assert.equal(images(), 0);
      pg.pause();
      try {
        assert.throws(images, (err: unknown) => {
          assert.ok(err instanceof DatabaseUnreachableError, String(err));
          assert.match(err.message, /team database is unreachable .*try again when it is back/);
          return true;
        });
      } finally {
        pg.start();
      }
      assert.equal(images(), 0);
    });

    test('a team server answers 503 "unreachable" while it is down (a login, a page), and serves again once back', async () => {
      const staticDir = join(dir, 'renderer');
      mkdirSync(staticDir, { recursive: true });
      writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>RetinaStudio</title>');
      const ws = await createWorkstation({ dbPath: url, shell: 'browser', user: 'os-user' });
      const accounts = new Accounts(ws.store, { sessionHours: 1 });
      const server = await startServer({ handlers: ws.handlers, events: ws.events, staticDir, accounts });
      const login = () =>
        raw(server.port, {
          method: 'POST',
          path: '/auth/login',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user: 'nobody', password: 'wrong password' }),
        });
      try {
        assert.equal((await login()).status, 401);
        pg.pause();
        try {
          const down = await login();
          assert.equal(down.status, 503);
          assert.match(down.body.toString(), /team database is unreachable/);
        } finally {
          pg.start();
        }
        assert.equal((await login()).status, 401, 'a login is judged again once the database is back');
      } finally {
        await server.close();
        await ws.close();
      }
    });
  },
);
