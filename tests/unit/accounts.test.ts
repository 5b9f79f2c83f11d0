// Team accounts' pure parts: password hashes, the login throttle, and the channel -> roles table enforced on a
// real (temporary) store.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashPassword, passwordProblem, verifyPassword } from '../../main/accounts/passwords.js';
import { LoginThrottle } from '../../main/accounts/login-throttle.js';
import { Accounts, LOGIN_FAILED } from '../../main/accounts/accounts.js';
import { checkAccess, imageIdsOf } from '../../main/handlers/access-guard.js';
import {
  createUser,
  disableUser,
  enableUser,
  findUser,
  openStore,
  type Store,
} from '../../main/store/index.js';
import { REQUEST_CHANNELS, RpcError } from '../../shared/contract.js';
import { CHANNEL_ROLES, mayCall, ROLE_NAMES } from '../../shared/roles.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };

describe('password hashes', () => {
  test('verify accepts the password and refuses any other', async () => {
    const stored = await hashPassword('correct horse battery', FAST);
    assert.equal(await verifyPassword('correct horse battery', stored), true);
    assert.equal(await verifyPassword('correct horse batterY', stored), false);
    assert.equal(await verifyPassword('', stored), false);
  });

  test('the stored string names scrypt and its cost, with a random salt', async () => {
    const a = await hashPassword('same password!', FAST);
    const b = await hashPassword('same password!', FAST);
    assert.match(a, /^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    assert.notEqual(a, b, 'two hashes of one password differ by their salts');
    assert.equal(await verifyPassword('same password!', b), true);
  });

  test('the default cost is memory-hard (N 2^15, r 8)', async () => {
    assert.match(await hashPassword('a default cost one'), /^scrypt\$32768\$8\$1\$/);
  });

  test('a damaged or foreign hash verifies nothing', async () => {
    const stored = await hashPassword('another password', FAST);
    for (const bad of [
      '',
      'plain',
      stored.replace('scrypt', 'bcrypt'),
      stored.slice(0, -4),
      'scrypt$0$8$1$a$b',
    ]) {
      assert.equal(await verifyPassword('another password', bad), false, bad);
    }
  });

  test('empty and short passwords are refused', () => {
    assert.match(passwordProblem('') ?? '', /empty/);
    assert.match(passwordProblem('          ') ?? '', /empty/);
    assert.match(passwordProblem('short') ?? '', /shorter than 10/);
    assert.equal(passwordProblem('long enough now'), null);
  });
});

describe('login throttle', () => {
  test('five failures are free, then each waits twice as long as the last', () => {
    let now = 0;
    const t = new LoginThrottle({ now: () => now, baseDelayMs: 1000 });
    const keys = ['user:anna'];
    for (let i = 0; i < 4; i++) {
      t.fail(keys);
      assert.equal(t.waitMs(keys), 0, `after ${i + 1} failures`);
    }
    t.fail(keys);
    assert.equal(t.waitMs(keys), 1000);
    now += 1000;
    assert.equal(t.waitMs(keys), 0);
    t.fail(keys);
    assert.equal(t.waitMs(keys), 2000);
    now += 2000;
    t.fail(keys);
    assert.equal(t.waitMs(keys), 4000);
  });

  test('the longest wait of the keys counts, a success clears, and waits stop at the cap', () => {
    const now = 0;
    const t = new LoginThrottle({ now: () => now, baseDelayMs: 1000, maxDelayMs: 5000 });
    for (let i = 0; i < 10; i++) t.fail(['addr:1.2.3.4']);
    assert.equal(t.waitMs(['user:x', 'addr:1.2.3.4']), 5000);
    assert.equal(t.waitMs(['user:x', 'addr:5.6.7.8']), 0);
    t.succeed(['addr:1.2.3.4']);
    assert.equal(t.waitMs(['addr:1.2.3.4']), 0);
  });
});

describe('login throttle on a real store', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-throttle-'));
    store = openStore(path.join(dir, 't.db'));
    createUser(
      store,
      { name: 'bob', role: 'annotator', passwordHash: await hashPassword('the right one', FAST) },
      't',
    );
  });
  after(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('guesses sent all at once: no more passwords are checked than the free failures allow', async () => {
    const accounts = new Accounts(store, { throttle: new LoginThrottle() });
    const tries = await Promise.allSettled(
      Array.from({ length: 40 }, () => accounts.login('bob', 'a guess', '10.0.0.9')),
    );
    const said = tries.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'logged in'));
    assert.equal(said.filter((m) => m === LOGIN_FAILED).length, 5, 'passwords checked');
    assert.ok(
      said.every((m) => m === LOGIN_FAILED || /too many failed logins/.test(m)),
      said.join('; '),
    );
  });
});

describe('channel roles', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-roles-'));
    store = openStore(path.join(dir, 'r.db'));
  });
  after(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const ctx = (role: 'admin' | 'reviewer' | 'annotator') => ({
    shell: 'browser' as const,
    sender: 'test',
    user: { id: 999, name: 'someone', role },
  });
  const refusal = (fn: () => void): string | null => {
    try {
      fn();
      return null;
    } catch (err) {
      assert.ok(err instanceof RpcError);
      return err.code;
    }
  };

  test('every channel has roles, and admins may call them all', () => {
    for (const channel of REQUEST_CHANNELS) {
      assert.ok(CHANNEL_ROLES[channel].length > 0, channel);
      assert.ok(mayCall('admin', channel), channel);
    }
  });

  test('the table decides each call, for each role', () => {
    for (const channel of REQUEST_CHANNELS) {
      for (const role of ROLE_NAMES) {
        const code = refusal(() => checkAccess(store, channel, {}, ctx(role)));
        assert.equal(code, mayCall(role, channel) ? null : 'forbidden', `${role} ${channel}`);
      }
    }
  });

  test('what each role may not do', () => {
    const denied = (role: 'reviewer' | 'annotator') =>
      REQUEST_CHANNELS.filter((c) => !mayCall(role, c)).sort();
    assert.ok(denied('annotator').includes('approveMask'));
    assert.ok(denied('annotator').includes('sendBack'));
    assert.ok(denied('annotator').includes('assignImages'));
    assert.ok(denied('annotator').includes('listPatients'), 'patient lists would show unassigned images');
    assert.ok(!denied('annotator').includes('saveDraft'));
    assert.ok(!denied('annotator').includes('submitForReview'));
    assert.deepEqual(denied('reviewer'), [
      'cancelRetrain',
      'eraseImages', // for good, across everyone's work: administrators only
      'previewErasure',
      'promoteModel',
      'rejectModel',
      'rollbackModel',
      'setRetrainSettings',
      'startRetrain',
    ]);
  });

  test('an annotator naming an image not assigned to them finds nothing; single-user calls pass', () => {
    assert.equal(
      refusal(() => checkAccess(store, 'getMasks', { imageId: '1' }, ctx('annotator'))),
      'not-found',
    );
    assert.equal(
      refusal(() => checkAccess(store, 'getMasks', { imageId: '1' }, ctx('reviewer'))),
      null,
    );
    assert.equal(
      refusal(() => checkAccess(store, 'approveMask', { imageId: '1' }, { shell: 'browser', sender: 'x' })),
      null,
    );
    assert.deepEqual(imageIdsOf({ imageId: '1', otherImageId: '2', imageIds: ['3', 4] }), ['1', '2', '3']);
  });
});

describe('user names in any case', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-user-case-'));
    store = openStore(path.join(dir, 'team.db'));
    createUser(
      store,
      { name: 'Anna', role: 'annotator', passwordHash: await hashPassword('anna pass 123', FAST) },
      'test',
    );
  });
  after(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('"anna" logs in as Anna, and the account commands find her', async () => {
    const accounts = new Accounts(store);
    const done = await accounts.login('anna', 'anna pass 123', '127.0.0.1');
    assert.equal(done.user.name, 'Anna');
    assert.equal(disableUser(store, 'anna', 'admin').name, 'Anna');
    await assert.rejects(accounts.login('Anna', 'anna pass 123', '127.0.0.1'), { message: LOGIN_FAILED });
    assert.equal(enableUser(store, 'ANNA', 'admin').disabled, false);
    assert.equal(findUser(store, 'aNNa').name, 'Anna');
    assert.throws(() => findUser(store, 'annabel'), /no user annabel/);
  });
});
