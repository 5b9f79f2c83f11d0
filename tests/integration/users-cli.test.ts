// `retina users` as an administrator runs it on a real database: passwords only from stdin or a terminal (never an
// argument), refused when empty or short; the stored hash is scrypt and verifies; one-line errors, exit codes 1/2.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyPassword } from '../../main/accounts/passwords.js';
import { findUserCredentials, listAudit, openStore } from '../../main/store/index.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(repo, 'main', 'cli', 'main.ts');

let tmp: string;
let db: string;

function users(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'users', ...args, '--db', db], {
    cwd: repo,
    encoding: 'utf8',
    input: input ?? '',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.trim() };
}

function credentials(name: string) {
  const store = openStore(db, { readonly: true });
  try {
    return findUserCredentials(store, name);
  } finally {
    store.close();
  }
}

before(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'retina-users-cli-'));
  db = path.join(tmp, 'team.db');
});
after(() => rm(tmp, { recursive: true, force: true }));

test('add an admin from stdin; the database stores a scrypt hash that verifies', async () => {
  const r = users(
    ['add', 'ada', '--role', 'admin', '--password-stdin', '--actor', 'installer'],
    'first admin pass\n',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'added ada (admin)\n');
  const found = credentials('ada');
  assert.ok(found);
  assert.match(found.passwordHash, /^scrypt\$32768\$8\$1\$/);
  assert.equal(
    await verifyPassword('first admin pass', found.passwordHash),
    true,
    'the newline is not the password',
  );
  const store = openStore(db, { readonly: true });
  try {
    const [row] = listAudit(store, { entity: 'user' });
    assert.deepEqual([row.actor, row.action], ['installer', 'user.add']);
  } finally {
    store.close();
  }
});

test('empty, short and mismatched inputs are refused with one line, and nothing is added', () => {
  const cases: [string[], string, number, RegExp][] = [
    [['add', 'bob', '--role', 'annotator', '--password-stdin'], '\n', 2, /the password is empty/],
    [['add', 'bob', '--role', 'annotator', '--password-stdin'], 'short\n', 2, /shorter than 10 characters/],
    [['add', 'bob', '--password-stdin'], 'long enough pass\n', 2, /needs --role/],
    [['add', 'bob', '--role', 'boss', '--password-stdin'], 'long enough pass\n', 2, /--role must be one of/],
    [
      ['add', 'b o b', '--role', 'annotator', '--password-stdin'],
      'long enough pass\n',
      2,
      /user name 'b o b'/,
    ],
    [['add', 'bob', '--role', 'annotator'], '', 2, /no terminal to ask the password on: .*--password-stdin/],
    [
      ['add', 'ada', '--role', 'reviewer', '--password-stdin'],
      'long enough pass\n',
      1,
      /user ada already exists/,
    ],
    [['passwd', 'nobody', '--password-stdin'], 'long enough pass\n', 1, /no user nobody/],
  ];
  for (const [args, input, code, message] of cases) {
    const r = users(args, input);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
  }
  assert.equal(credentials('bob'), null);
  assert.equal(credentials('ada')?.user.role, 'admin');
});

test('passwd changes the password; disable shows in the list', async () => {
  assert.equal(users(['add', 'anna', '--role', 'annotator', '--password-stdin'], 'anna first pass').code, 0);
  const r = users(['passwd', 'anna', '--password-stdin'], 'anna second pass\n');
  assert.equal(r.code, 0, r.stderr);
  const hash = credentials('anna')?.passwordHash ?? '';
  assert.equal(await verifyPassword('anna second pass', hash), true);
  assert.equal(await verifyPassword('anna first pass', hash), false);
  assert.equal(users(['disable', 'anna']).code, 0);
  const list = users(['list']);
  assert.equal(list.code, 0);
  assert.match(list.stdout, /^ada\s+admin\s+active /m);
  assert.match(list.stdout, /^anna\s+annotator\s+disabled /m);
  const json = JSON.parse(users(['list', '--json']).stdout) as { name: string; disabled: boolean }[];
  assert.deepEqual(
    json.map((u) => [u.name, u.disabled]),
    [
      ['ada', false],
      ['anna', true],
    ],
  );
});

test('the last admin cannot be disabled; enable lets an account in again; names differing in case are one name', () => {
  // 'ada' is the only admin (added above).
  const last = users(['disable', 'ada']);
  assert.equal(last.code, 1);
  assert.match(last.stderr, /ada is the last active admin: add or enable another admin first/);
  assert.equal(users(['enable', 'anna']).code, 0);
  assert.match(users(['list']).stdout, /^anna\s+annotator\s+active /m);
  const clash = users(['add', 'ADA', '--role', 'reviewer', '--password-stdin'], 'another long pass');
  assert.equal(clash.code, 1);
  assert.match(clash.stderr, /user ada already exists \(names differ only in case\)/);
  const unknown = users(['frob']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frob': add, list, passwd, disable, enable/);
});

test('--actor in a study with accounts names one of them, enabled; any other name is refused and nothing written', () => {
  const auditActors = (): string[] => {
    const store = openStore(db, { readonly: true });
    try {
      return listAudit(store, { limit: 10_000 })
        .map((e) => e.actor)
        .reverse();
    } finally {
      store.close();
    }
  };
  const before = auditActors();
  // A made-up name went into the trail as if that person had acted.
  const madeUp = users(
    ['add', 'bob', '--role', 'annotator', '--password-stdin', '--actor', 'mallory'],
    'bob long pass',
  );
  assert.equal(madeUp.code, 2, madeUp.stderr);
  assert.match(madeUp.stderr, /--actor mallory is not a user of this study/);
  assert.equal(credentials('bob'), null);
  const sample = path.join(repo, 'resources', 'samples', 'fundus-normal-left-eye-cc0.jpg');
  const imported = spawnSync(
    process.execPath,
    ['--import', 'tsx', CLI, 'db', 'import', sample, '--actor', 'mallory', '--database', db],
    { cwd: repo, encoding: 'utf8' },
  );
  assert.equal(imported.status, 2, imported.stderr);
  assert.match(imported.stderr, /--actor mallory is not a user of this study/);
  assert.equal(users(['disable', 'anna']).code, 0);
  const disabled = users(['enable', 'anna', '--actor', 'anna']);
  assert.equal(disabled.code, 2);
  assert.match(disabled.stderr, /--actor anna is a disabled account/);
  assert.deepEqual(auditActors(), [...before, auditActors().at(-1)], 'only the disable was recorded');
  // An account named in another case is recorded as the account is spelled, so `db audit --by ada` finds it.
  const added = users(
    ['add', 'bob', '--role', 'annotator', '--password-stdin', '--actor', 'ADA'],
    'bob long pass',
  );
  assert.equal(added.code, 0, added.stderr);
  assert.equal(auditActors().at(-1), 'ada');
  assert.ok(!auditActors().includes('mallory'));
});
