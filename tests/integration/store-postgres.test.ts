// The team database as a user meets it, through the CLI: a single user's SQLite study (DRIVE) copied into
// PostgreSQL and back with nothing lost, `db check|export|backup` on PostgreSQL, `retina serve --database` serving
// it, and both backends holding the same schema.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../e2e/model-fixture.js';
import { datasetsRoot } from '../../main/node/package-root.js';
import { listImagesPage } from '../../main/handlers/worklist.js';
import { importImageFiles, openStore, setClinical, type CopyReport } from '../../main/store/index.js';
import { sqliteConnection } from '../../main/store/sqlite-backend.js';
import { decodeFrame, encodeFrame, FRAME_CONTENT_TYPE, TOKEN_HEADER } from '../../shared/transport.js';
import { sharedPostgres } from '../support/store-backends.js';
import type { PostgresCluster } from '../support/postgres.js';

const CLI = join(repoRoot, 'bin', 'retina.mjs');
const env = { ...process.env, RETINA_FROM_SOURCE: '1' };
const DRIVE = join(datasetsRoot(), 'DRIVE');

function retina(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: repoRoot, env, encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function copy(from: string, to: string, extra: string[] = []): CopyReport {
  const r = retina(['db', 'copy', '--from', from, '--to', to, '--json', ...extra]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as CopyReport;
}

function tableHashes(r: CopyReport): Record<string, string> {
  return Object.fromEntries(r.tables.map((t) => [t.table, `${t.rows}:${t.hash}`]));
}

describe('a team database on PostgreSQL', () => {
  let pg: PostgresCluster;
  let dir: string;
  let sqlite: string;
  let team: string;
  let shared: string;
  let intoTeam: CopyReport;

  before(async () => {
    pg = await sharedPostgres();
    dir = mkdtempSync(join(tmpdir(), 'retina-team-'));
    sqlite = join(dir, 'single.db');
    shared = join(dir, 'shared');
    const imported = retina(['db', 'import', '--database', sqlite, DRIVE]);
    assert.equal(imported.status, 0, imported.stderr);
    team = pg.createDatabase('team_drive');
    intoTeam = copy(sqlite, team, ['--shared-dir', shared]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('db copy moves the DRIVE import into PostgreSQL and back with nothing lost', () => {
    const rows = Object.fromEntries(intoTeam.tables.map((t) => [t.table, t.rows]));
    assert.equal(rows.images, 40);
    assert.equal(rows.mask_versions, 40);
    assert.equal(intoTeam.blobsCopied, 120);
    // The way back, into a new SQLite file: every table's rows hash the same as the original's.
    const back = join(dir, 'back.db');
    const fromTeam = copy(team, back);
    assert.deepEqual(tableHashes(fromTeam), tableHashes(intoTeam));
    assert.equal(fromTeam.blobsCopied, 120);
    // And the masks export byte for byte the same from all three.
    const outs = [sqlite, team, back].map((db, i) => {
      const out = join(dir, `masks-${i}`);
      const r = retina(['db', 'export', '--database', db, '--out', out]);
      assert.equal(r.status, 0, r.stderr);
      return out;
    });
    const files = readdirSync(outs[0]).sort();
    assert.equal(files.length, 40);
    for (const f of files) {
      const bytes = readFileSync(join(outs[0], f));
      for (const out of outs.slice(1)) assert.ok(bytes.equals(readFileSync(join(out, f))), `${out}/${f}`);
    }
  });

  test('db copy refuses a database that already holds rows, and names the tables', () => {
    const r = retina(['db', 'copy', '--from', sqlite, '--to', team]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /not empty \(.*images.*\)/);
  });

  test('db check, backup and init work on PostgreSQL; the shared folder is recorded in the database', () => {
    // No --shared-dir here: the database knows its folder.
    const check = retina(['db', 'check', '--database', team, '--verify', '--json']);
    assert.equal(check.status, 0, check.stderr);
    assert.equal((JSON.parse(check.stdout) as { counts: { images: number } }).counts.images, 40);
    const backup = join(dir, 'backup', 'team.db');
    const b = retina(['db', 'backup', '--database', team, backup]);
    assert.equal(b.status, 0, b.stderr);
    assert.equal(retina(['db', 'check', '--database', backup, '--verify']).status, 0);
    assert.ok(existsSync(`${backup}.files`));
    // A new team database without a shared folder is refused with the fix named.
    const bare = pg.createDatabase('team_bare');
    const init = retina(['db', 'init', '--database', bare]);
    assert.equal(init.status, 1);
    assert.match(init.stderr, /--shared-dir/);
    // That failed init left the version table behind; a command that only reads still finds no study there, and
    // makes none (it created every table and recorded the folder given).
    const list = retina(['users', 'list', '--database', bare, '--shared-dir', join(dir, 'nowhere')]);
    assert.equal(list.status, 1, list.stdout);
    assert.match(list.stderr, /not a RetinaStudio database yet \(run `retina db init/);
    assert.equal(retina(['users', 'list', '--database', bare]).status, 1);
    // A JPEG photograph (its EXIF orientation is checked, by a query whose column names PostgreSQL folds to lower
    // case) passes too: it failed with "not a blob address: undefined".
    const photo = pg.createDatabase('team_jpeg');
    const sample = join(repoRoot, 'resources', 'samples', 'fundus-normal-left-eye-cc0.jpg');
    assert.equal(
      retina(['db', 'init', '--database', photo, '--shared-dir', join(dir, 'jpeg-files')]).status,
      0,
    );
    assert.equal(retina(['db', 'import', '--database', photo, sample]).status, 0);
    const jpegCheck = retina(['db', 'check', '--database', photo, '--verify']);
    assert.equal(jpegCheck.status, 0, jpegCheck.stderr);
    // An unreachable server is a one-line error, not a stack.
    const down = retina(['db', 'check', '--database', 'postgres://retina@127.0.0.1:1/none']);
    assert.equal(down.status, 1);
    assert.match(down.stderr, /cannot connect to PostgreSQL/);
    assert.equal(down.stderr.trim().split('\n').length, 1);
  });

  test('both backends hold the same tables and columns', () => {
    const file = openStore(join(dir, 'schema.db'));
    const server = openStore(pg.createDatabase('team_schema'), { sharedDir: join(dir, 'schema-shared') });
    try {
      assert.deepEqual(server.backend.tables(), file.backend.tables());
      const raw = sqliteConnection(file)!;
      for (const table of file.backend.tables()) {
        const fileColumns = (raw.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[])
          .map((c) => c.name)
          .sort();
        const serverColumns = (
          server.db
            .prepare(
              'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?',
            )
            .pluck()
            .all(table) as string[]
        ).sort();
        assert.deepEqual(serverColumns, fileColumns, table);
      }
    } finally {
      file.close();
      server.close();
    }
  });

  test('retina serve --database postgres://... serves the team database', async () => {
    const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--database', team], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /^(http:\/\/\S+\/\?token=\S+)$/m.exec(out);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`retina serve exited with ${code}:\n${err}`)));
      });
      const u = new URL(url);
      const res = await fetch(`${u.origin}/rpc/listImages`, {
        method: 'POST',
        headers: { [TOKEN_HEADER]: u.searchParams.get('token')!, 'content-type': FRAME_CONTENT_TYPE },
        body: encodeFrame({ offset: 0, limit: 100 }),
      });
      assert.equal(res.status, 200);
      const result = decodeFrame(new Uint8Array(await res.arrayBuffer())) as {
        ok: boolean;
        value: { items: unknown[] };
      };
      assert.equal(result.ok, true, JSON.stringify(result).slice(0, 300));
      assert.equal(result.value.items.length, 40);
    } finally {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
  });
});

describe('a team database whose server encoding is not UTF8', () => {
  let pg: PostgresCluster;
  let dir: string;
  before(async () => {
    pg = await sharedPostgres();
    dir = mkdtempSync(join(tmpdir(), 'retina-latin1-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('worklist search works on a LATIN1 database (NORMALIZE needs UTF8 there)', async () => {
    // A team's older server: LATIN1 with the C locale. PostgreSQL's NORMALIZE refuses any other encoding than
    // UTF8, so every search failed there ("Unicode normalization can only be performed if server encoding is UTF8").
    const store = openStore(pg.createDatabase('team_latin1', { encoding: 'LATIN1' }), {
      sharedDir: join(dir, 'shared'),
    });
    // The server's log from here on: asking whether a letter fits LATIN1 must not leave ERROR lines for its DBA.
    const logFrom = statSync(pg.logFile).size;
    try {
      const sample = join(repoRoot, 'resources', 'samples', 'fundus-normal-left-eye-cc0.jpg');
      const report = await importImageFiles(store, [{ imagePath: sample }], { actor: 'importer' });
      assert.equal(report.imported.length, 1, JSON.stringify(report.failed));
      setClinical(
        store,
        [report.imported[0].imageId],
        { patientId: 'P-1', patientName: 'José Núñez' },
        'clinician',
      );
      const found = (search: string) =>
        listImagesPage(store, { offset: 0, limit: 50, search }).items.map((i) => i.fileName);
      const all = ['fundus-normal-left-eye-cc0.jpg'];
      // Both sides are lower-cased by the database (its C locale folds ASCII), the query is NFC on its way there:
      // a decomposed é (not a LATIN1 character) finds the stored, composed name instead of failing to convert.
      for (const search of [
        'fundus',
        'FUNDUS',
        'jos',
        'JOSÉ'.slice(0, 3),
        'José',
        'josé'.normalize('NFD'),
        'Núñez',
        // Accents are folded by the table's LATIN1 letters, capitals too under the C locale.
        'jose nunez',
        'NÚÑEZ',
        'JOSÉ',
      ])
        assert.deepEqual(found(search), all, search);
      assert.deepEqual(found('maculopathy'), [], 'a search still filters');
      assert.deepEqual(found('50%'), [], 'LIKE wildcards are plain characters');
      // A letter the database cannot store is in none of its names: nothing found, not a conversion error.
      assert.deepEqual(found('Łukasz'), [], 'a letter outside LATIN1');
      assert.deepEqual(found('张伟'), [], 'a name in Chinese');
      const logged = readFileSync(pg.logFile).subarray(logFrom).toString('utf8');
      assert.deepEqual(
        logged.split('\n').filter((line) => /\b(ERROR|STATEMENT):/.test(line)),
        [],
        'no errors in the server log',
      );
    } finally {
      store.close();
    }
  });
});
