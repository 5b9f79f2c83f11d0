// The audit log as a hash chain, on both backends with real photographs (the shipped CC0 sample, tinted): it
// verifies after ordinary use, after concurrent writers (PostgreSQL), after an upgrade of a study whose log was
// written before the chain, and after an erasure (which rewrites rows legitimately); a row changed, deleted or
// inserted by hand (as sqlite3 or psql would) is named by `retina db check`, which then fails and changes nothing.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tintedPhotos } from '../support/sample-photos.js';
import { STORE_BACKENDS, useStoreBackend, type TestBackend } from '../support/store-backends.js';
import { runDbCommand } from '../../main/cli/db.js';
import { resealAuditChain, verifyAuditChain } from '../../main/store/audit-chain.js';
import {
  createPatient,
  eraseRecords,
  importImageFiles,
  listAudit,
  openStore,
  saveMaskVersion,
  setClinical,
  type Store,
} from '../../main/store/index.js';

const repo = join(import.meta.dirname, '..', '..');
const W = 96;

/** `retina db check` in this process: its exit code and what it printed. */
async function dbCheck(location: string, ...more: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = { write: (t: string) => (out += t) };
  const code = await runDbCommand(['check', '--database', location, ...more], {
    stdout: sink,
    stderr: sink,
  });
  return { code, out };
}

/** Every audit row as stored, hashes included: what `db check` must leave as it is. */
const snapshot = (store: Store) =>
  JSON.stringify(store.db.prepare('SELECT * FROM audit_log ORDER BY id').all());

const ids = (store: Store): number[] =>
  store.db.prepare('SELECT id FROM audit_log ORDER BY id').pluck().all() as number[];

let dir: string;
let photos: string[];
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'retina-audit-chain-'));
  photos = await tintedPhotos(dir, ['chain-a', 'chain-b', 'chain-c'], W);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A study used as a clinic would: imports, a patient's details, an approval. Its location, still open. */
async function usedStudy(backend: TestBackend, name: string): Promise<{ store: Store; location: string }> {
  const location = backend.location(name);
  const store = openStore(location);
  const report = await importImageFiles(
    store,
    photos.map((imagePath) => ({ imagePath })),
    { actor: 'importer' },
  );
  const [a, b, c] = report.imported.map((i) => i.imageId);
  setClinical(
    store,
    [a, b],
    { patientId: 'P-ERIKA', patientName: 'Erika Muster', visitDate: '2026-01-10' },
    'clerk',
  );
  setClinical(store, [c], { patientId: 'P-OTHER' }, 'clerk');
  const data = Uint8Array.from({ length: W * W }, (_, i) => (i % W < 4 ? 1 : 0));
  await saveMaskVersion(store, {
    imageId: a,
    kind: 'approved',
    author: 'rev',
    mask: { width: W, height: W, data },
  });
  await saveMaskVersion(store, {
    imageId: c,
    kind: 'approved',
    author: 'rev',
    mask: { width: W, height: W, data },
  });
  return { store, location };
}

for (const kind of STORE_BACKENDS)
  describe(`audit chain (${kind})`, () => {
    const backend = useStoreBackend(kind);

    test('verifies after ordinary use; db check says so and exits 0', async () => {
      const { store, location } = await usedStudy(backend, 'used');
      try {
        const chain = verifyAuditChain(store.db);
        assert.equal(chain.ok, true, JSON.stringify(chain.firstBreak));
        assert.equal(chain.rows, ids(store).length);
        assert.ok(chain.rows >= 7);
        const r = await dbCheck(location);
        assert.equal(r.code, 0, r.out);
        assert.match(r.out, /audit trail verifies/);
      } finally {
        store.close();
      }
    });

    test('a row changed by hand is named; db check fails and changes nothing', async () => {
      const { store, location } = await usedStudy(backend, 'edited');
      try {
        const forged = ids(store)[2];
        store.db
          .prepare("UPDATE audit_log SET actor = 'mallory', at = '2020-01-01T00:00:00.000Z' WHERE id = ?")
          .run(forged);
        const before = snapshot(store);
        const r = await dbCheck(location);
        assert.equal(r.code, 1, r.out);
        assert.match(r.out, new RegExp(`audit row ${forged} was changed after it was written`));
        assert.equal(snapshot(store), before);
        const chain = verifyAuditChain(store.db);
        assert.deepEqual(
          [chain.firstBreak?.row, chain.firstBreak?.problem, chain.breaks],
          [forged, 'edited', 1],
        );
      } finally {
        store.close();
      }
    });

    test('a head noted earlier shows a forgery whose forger re-hashed the trail after it', async () => {
      const { store, location } = await usedStudy(backend, 'noted');
      try {
        const head = verifyAuditChain(store.db).head!;
        const ok = await dbCheck(location, '--audit-head', head.hash!.toUpperCase());
        assert.equal(ok.code, 0, ok.out);
        assert.match(ok.out, new RegExp(`is still entry #${head.row}: nothing up to it was rewritten`));
        // Someone who knows the scheme changes an early row and chains every row after it again.
        store.db.prepare("UPDATE audit_log SET actor = 'mallory' WHERE id = ?").run(ids(store)[1]);
        resealAuditChain(store.db);
        const plain = await dbCheck(location);
        assert.equal(plain.code, 0, 'the chain alone cannot show a rewrite: the noted head is what does');
        const before = snapshot(store);
        const r = await dbCheck(location, '--audit-head', head.hash!);
        assert.equal(r.code, 1, r.out);
        assert.match(r.out, /no longer holds the noted entry/);
        assert.match(r.out, /is no longer in the audit trail: the trail up to it was rewritten/);
        assert.equal(snapshot(store), before);
        const usage = await dbCheck(location, '--audit-head', 'abc');
        assert.equal(usage.code, 2, usage.out);
        assert.match(usage.out, /64 hexadecimal digits/);
      } finally {
        store.close();
      }
    });

    test('a row deleted by hand is found at the row after it', async () => {
      const { store, location } = await usedStudy(backend, 'deleted');
      try {
        const [, first, gone, next] = ids(store);
        store.db.prepare('DELETE FROM audit_log WHERE id = ?').run(gone);
        const r = await dbCheck(location);
        assert.equal(r.code, 1, r.out);
        assert.match(
          r.out,
          new RegExp(`audit row ${next} does not follow row ${first}: rows between them were deleted`),
        );
      } finally {
        store.close();
      }
    });

    test('a row inserted by hand is named', async () => {
      const { store, location } = await usedStudy(backend, 'inserted');
      try {
        const inserted = Number(
          store.db
            .prepare(
              `INSERT INTO audit_log (at, actor, action, entity, entity_id)
               VALUES ('2026-01-11T09:00:00.000Z', 'rev', 'mask.approved', 'image', 2) RETURNING id`,
            )
            .pluck()
            .get(),
        );
        const r = await dbCheck(location);
        assert.equal(r.code, 1, r.out);
        assert.match(r.out, new RegExp(`audit row ${inserted} has no hash`));
      } finally {
        store.close();
      }
    });

    test('an erasure keeps it verifying, says so in the log, and does not hide an earlier forgery', async () => {
      const { store, location } = await usedStudy(backend, 'erased');
      try {
        const patient = Number(
          store.db.prepare("SELECT id FROM patients WHERE pseudonym = 'P-ERIKA'").pluck().get(),
        );
        await eraseRecords(store, { patients: [patient] }, 'dpo');
        assert.equal(
          verifyAuditChain(store.db).ok,
          true,
          JSON.stringify(verifyAuditChain(store.db).firstBreak),
        );
        const reseal = listAudit(store, { actionPrefix: 'audit.reseal' });
        assert.equal(reseal.length, 1);
        assert.equal(reseal[0].actor, 'dpo');
        assert.equal((await dbCheck(location)).code, 0);

        // A hand edit, then another erasure: the edit is still reported after it.
        const forged = ids(store)[1];
        store.db.prepare("UPDATE audit_log SET actor = 'mallory' WHERE id = ?").run(forged);
        const other = Number(
          store.db.prepare("SELECT id FROM patients WHERE pseudonym = 'P-OTHER'").pluck().get(),
        );
        await eraseRecords(store, { patients: [other] }, 'dpo');
        const chain = verifyAuditChain(store.db);
        assert.deepEqual(
          [chain.firstBreak?.row, chain.firstBreak?.problem, chain.breaks],
          [forged, 'edited', 1],
        );
      } finally {
        store.close();
      }
    });

    test('a study whose log was written before the chain verifies once upgraded; later edits show', () => {
      const location = backend.location('upgraded', { init: false });
      const sharedDir = join(backend.dir, `upgraded-${kind}`);
      const old = openStore(location, { targetVersion: 13, sharedDir });
      const insert = old.db.prepare(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, details) VALUES (?, 'clerk', 'patient.create', 'patient', ?, ?)",
      );
      for (let i = 1; i <= 4; i++)
        insert.run(`2025-0${i}-01T00:00:00.000Z`, i, JSON.stringify({ pseudonym: `P-${i}` }));
      old.close();
      const store = openStore(location, { sharedDir });
      try {
        createPatient(store, { pseudonym: 'P-NEW' }, 'clerk');
        const chain = verifyAuditChain(store.db);
        assert.equal(chain.ok, true, JSON.stringify(chain.firstBreak));
        assert.equal(chain.rows, 5);
        store.db
          .prepare('UPDATE audit_log SET details = \'{"pseudonym":"P-X"}\' WHERE id = ?')
          .run(ids(store)[1]);
        assert.equal(verifyAuditChain(store.db).firstBreak?.row, ids(store)[1]);
      } finally {
        store.close();
      }
    });
  });

describe('audit chain (postgres, concurrent writers)', () => {
  const backend = useStoreBackend('postgres');

  test('four processes writing at once leave one chain that verifies', async () => {
    const location = backend.location('concurrent');
    // .mts: an ES module outside the repository (whose package.json makes its own .ts files modules).
    const script = join(dir, 'writer.mts');
    writeFileSync(
      script,
      `import { existsSync, writeFileSync } from 'node:fs';
import { createPatient, openStore } from ${JSON.stringify(join(repo, 'main', 'store', 'index.ts'))};
const [url, tag, folder] = process.argv.slice(2);
const store = openStore(url);
// All four start writing together (each is ready once connected), so their writes interleave.
writeFileSync(folder + '/ready-' + tag, '');
const pause = new Int32Array(new SharedArrayBuffer(4));
while (!existsSync(folder + '/go')) Atomics.wait(pause, 0, 0, 10);
for (let i = 0; i < 25; i++) createPatient(store, { pseudonym: tag + '-' + i }, tag);
store.close();
`,
    );
    const writer = (tag: string) =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, location, tag, dir], {
          cwd: repo,
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        child.on('error', reject);
        child.on('exit', (code) => resolve(code ?? -1));
      });
    const tags = ['w1', 'w2', 'w3', 'w4'];
    let ended = false;
    const running = Promise.all(tags.map(writer)).finally(() => (ended = true));
    while (!ended && !tags.every((t) => existsSync(join(dir, `ready-${t}`))))
      await new Promise((r) => setTimeout(r, 20));
    writeFileSync(join(dir, 'go'), '');
    const codes = await running;
    assert.deepEqual(codes, [0, 0, 0, 0]);
    const store = openStore(location);
    try {
      const chain = verifyAuditChain(store.db);
      assert.equal(chain.ok, true, JSON.stringify(chain.firstBreak));
      assert.equal(chain.rows, 100);
      // Interleaved, not one writer after another: the lock serialised single writes.
      const actors = store.db.prepare('SELECT actor FROM audit_log ORDER BY id').pluck().all() as string[];
      const runs = actors.filter((a, i) => i > 0 && a !== actors[i - 1]).length;
      assert.ok(runs > 3, `writers ran one after another (${runs} switches): not a concurrency test`);
    } finally {
      store.close();
    }
  });
});
