// `retina serve --host`: a network address is refused without TLS; with a certificate it serves HTTPS whose page and
// contract answer only with the token; --insecure-http serves plain HTTP with a warning. A database file copied
// without the folder of its files is served with a warning that its images will not open.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../e2e/model-fixture.js';

const CLI = path.join(repoRoot, 'bin', 'retina.mjs');
const env = { ...process.env, RETINA_FROM_SOURCE: '1' };

/** Starts `retina serve` and resolves with the URL it prints (or rejects with its stderr when it exits). */
function serve(args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^(https?:\/\/\S+\/\?token=\S+)$/m.exec(out);
      if (m) resolve({ child, url: m[1], stderr: () => err });
    });
    child.once('exit', (code) => reject(new Error(`retina serve exited with ${code}:\n${err}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** GET over HTTPS trusting nothing but reaching the self-signed server (the test checks encryption, not trust). */
function httpsGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('retina serve on a network', () => {
  let dir: string;
  let cert: string;
  let key: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-serve-net-'));
    cert = path.join(dir, 'cert.pem');
    key = path.join(dir, 'key.pem');
    const made = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
    ]);
    assert.equal(made.status, 0, `openssl could not make a test certificate: ${made.stderr}`);
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a port another program holds is refused with what to do', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const r = spawnSync(
        process.execPath,
        [CLI, 'serve', '--database', path.join(dir, 'busy.sqlite'), '--port', String(port)],
        { cwd: repoRoot, env, encoding: 'utf8' },
      );
      assert.equal(r.status, 1, r.stderr);
      assert.match(
        r.stderr.trim().split('\n').pop() ?? '',
        new RegExp(`^retina serve: port ${port} on 127\\.0\\.0\\.1 is already in use .*--port$`),
      );
    } finally {
      holder.close();
    }
  });

  test('a non-loopback host without TLS is refused before anything starts', () => {
    const r = spawnSync(
      process.execPath,
      [CLI, 'serve', '--db', path.join(dir, 'a.db'), '--host', '0.0.0.0'],
      {
        cwd: repoRoot,
        env,
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /unencrypted.*--tls-cert.*--insecure-http/s);
    assert.equal(r.stdout, '', 'no URL printed');
  });

  test('a certificate without its key is a usage error', () => {
    const r = spawnSync(
      process.execPath,
      [CLI, 'serve', '--db', path.join(dir, 'b.db'), '--tls-cert', cert],
      {
        cwd: repoRoot,
        env,
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--tls-cert and --tls-key go together/);
  });

  test('with TLS on every interface: HTTPS, and the contract still wants the token', async () => {
    const s = await serve([
      '--db',
      path.join(dir, 'c.db'),
      '--port',
      '0',
      '--host',
      '0.0.0.0',
      '--tls-cert',
      cert,
      '--tls-key',
      key,
    ]);
    try {
      assert.match(s.url, /^https:\/\/127\.0\.0\.1:\d+\/\?token=/);
      const page = await httpsGet(s.url);
      assert.equal(page.status, 200);
      const origin = new URL(s.url).origin;
      const noToken = await httpsGet(`${origin}/rpc/getAppInfo`);
      assert.notEqual(noToken.status, 200, 'no token, no answer');
    } finally {
      await stop(s.child);
    }
  });

  test('--insecure-http serves plain HTTP with a warning', async () => {
    const s = await serve([
      '--db',
      path.join(dir, 'd.db'),
      '--port',
      '0',
      '--host',
      '0.0.0.0',
      '--insecure-http',
    ]);
    try {
      assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\//);
      const res = await fetch(s.url);
      assert.equal(res.status, 200);
      assert.match(s.stderr(), /warning: serving 0\.0\.0\.0 over plain HTTP/);
    } finally {
      await stop(s.child);
    }
  });
});

describe('retina serve on a database file copied without the folder of its files', () => {
  test('warns at start that its images will not open, and why', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'retina-serve-nofiles-'));
    try {
      const db = path.join(dir, 'studies.db');
      const photo = path.join(repoRoot, 'resources', 'samples', 'fundus-normal-left-eye-cc0.jpg');
      const imported = spawnSync(process.execPath, [CLI, 'db', 'import', photo, '--db', db], { env });
      assert.equal(imported.status, 0, String(imported.stderr));
      await rename(`${db}.files`, path.join(dir, 'elsewhere'));
      const s = await serve(['--db', db, '--port', '0']);
      try {
        // stdout's URL can overtake stderr: wait for stderr's own last start-up line.
        for (let t = 0; t < 100 && !/is serving/.test(s.stderr()); t++)
          await new Promise((r) => setTimeout(r, 100));
        assert.match(
          s.stderr(),
          /warning: its images will not open: the folder of its files, \S*studies\.db\.files, is not there/,
        );
      } finally {
        await stop(s.child);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
