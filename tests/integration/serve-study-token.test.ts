// `retina serve` keeps each study's access token between starts (study-token.ts): started again on the same study
// it answers the address it printed before; another study, or --new-token, makes a token the old address does not
// carry, so nothing opened before gets in. The token lives in the per-user state folder, readable by this user
// only, and a kept file others could read is not trusted.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RpcError } from '../../shared/contract.js';
import { serveClient, startServe, stopServeCleanly, type ServeProcess } from '../e2e/harness.js';
import { studyTokenPath } from '../../main/server/study-token.js';
import { createUser, openStore } from '../../main/store/index.js';
import { hashPassword } from '../../main/accounts/passwords.js';
import { retinaCliWith } from '../support/retina-cli.js';

describe('retina serve keeps the study access token', () => {
  let dir: string;
  let stateDir: string;
  const dbA = () => path.join(dir, 'a', 'retina.db');
  const dbB = () => path.join(dir, 'b', 'retina.db');

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-study-token-'));
    stateDir = path.join(dir, 'state');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** Starts the server on `dbPath` (on `port`), runs `check` on it, and stops it. */
  const serving = async (
    dbPath: string,
    port: number | undefined,
    check: (serve: ServeProcess) => Promise<void>,
    args: string[] = [],
  ): Promise<ServeProcess> => {
    const serve = await startServe({
      rendererDir: dir,
      dbPath,
      port,
      args,
      env: { RETINA_STATE_DIR: stateDir },
    });
    try {
      await check(serve);
    } finally {
      await stopServeCleanly(serve);
    }
    return serve;
  };

  /** Whether a server answers a contract call made with `token` (the old window's), or refuses it. */
  const answers = async (serve: ServeProcess, token: string): Promise<boolean> => {
    const client = serveClient({ ...serve, token });
    try {
      await client.invoke('getAppInfo', {});
      return true;
    } catch (err) {
      if (err instanceof RpcError && err.code === 'forbidden') return false;
      throw err;
    } finally {
      client.close();
    }
  };

  test('the same study started again on its port answers the address printed before', async () => {
    const first = await serving(dbA(), undefined, async () => {});
    const file = studyTokenPath(stateDir, dbA());
    if (process.platform !== 'win32') {
      assert.equal((await stat(file)).mode & 0o777, 0o600, 'the token file is readable by this user only');
      assert.equal((await stat(path.dirname(file))).mode & 0o777, 0o700);
    }
    const again = await serving(dbA(), first.port, async (serve) => {
      assert.ok(await answers(serve, first.token));
    });
    assert.equal(again.url, first.url);
  });

  test('another study on the same port does not let the old address in', async () => {
    const first = await serving(dbA(), undefined, async () => {});
    await serving(dbB(), first.port, async (serve) => {
      assert.notEqual(serve.token, first.token);
      assert.equal(await answers(serve, first.token), false);
      assert.ok(await answers(serve, serve.token));
    });
  });

  test('--new-token replaces the study token: the old address is refused, the new one kept', async () => {
    const first = await serving(dbA(), undefined, async () => {});
    const renewed = await serving(
      dbA(),
      first.port,
      async (serve) => {
        assert.notEqual(serve.token, first.token);
        assert.equal(await answers(serve, first.token), false);
      },
      ['--new-token'],
    );
    await serving(dbA(), first.port, async (serve) => {
      assert.equal(serve.token, renewed.token);
    });
  });

  test(
    'a kept token file that others could read is not trusted',
    { skip: process.platform === 'win32' },
    async () => {
      const first = await serving(dbA(), undefined, async () => {});
      await chmod(studyTokenPath(stateDir, dbA()), 0o644);
      await serving(dbA(), first.port, async (serve) => {
        assert.notEqual(serve.token, first.token);
        assert.equal(await answers(serve, first.token), false);
      });
      assert.equal((await stat(studyTokenPath(stateDir, dbA()))).mode & 0o777, 0o600);
    },
  );

  test('--new-token on a team database is refused: team mode has logins, not a token', async () => {
    const dbPath = path.join(dir, 'team', 'retina.db');
    await mkdir(path.dirname(dbPath));
    const store = openStore(dbPath);
    const passwordHash = await hashPassword('ada administers well', { N: 2 ** 10, r: 8, p: 1 });
    createUser(store, { name: 'ada', role: 'admin', passwordHash }, 'test');
    store.close();
    const run = retinaCliWith(
      { env: { RETINA_STATE_DIR: stateDir }, timeoutMs: 30_000 },
      'serve',
      '--db',
      dbPath,
      '--port',
      '0',
      '--new-token',
    );
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--new-token/);
    assert.match(run.stderr, /team mode/);
    assert.match(run.stderr, /logs in/);
    assert.equal(run.stdout, '', 'no address was printed');
  });
});
