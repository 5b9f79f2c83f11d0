// Compacting a study on both backends: a day of autosaves, an approval, a reopen, a restore and a second author,
// all "older than 30 days" by the compaction's clock. Only superseded autosaves that nothing refers to lose their
// files; a file another version shares stays; rows and audit entries stay, the check passes, the trail verifies,
// a backup copies what is left, and reading a compacted version's pixels says it was compacted.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkstation, type Workstation } from '../../main/handlers/index.js';
import {
  adoptKeptDraft,
  approveMaskVersion,
  EditRefusedError,
  backupStore,
  checkStore,
  compactStudy,
  eraseRecords,
  importImageFiles,
  loadMask,
  registerModel,
  reopenApprovedMask,
  restoreMaskVersion,
  saveMaskVersion,
  type MaskVersion,
  type Store,
} from '../../main/store/index.js';
import { blobPath } from '../../main/store/file-store.js';
import { tintedPhotos } from '../support/sample-photos.js';
import { handlerCaller } from '../support/handler-call.js';
import { STORE_BACKENDS, useStoreBackend } from '../support/store-backends.js';

const W = 48;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A mask with columns 0..k painted: each k its own pixels, so its own file. */
const pattern = (k: number): Uint8Array => {
  const data = new Uint8Array(W * W);
  for (let y = 0; y < W; y++) for (let x = 0; x <= k; x++) data[y * W + x] = 1;
  return data;
};

for (const kind of STORE_BACKENDS)
  describe(`compacting older drafts (${kind})`, () => {
    const backend = useStoreBackend(kind);
    let ws: Workstation;
    let store: Store;
    const call = handlerCaller(() => ws);
    const count = (sql: string): number => Number(store.db.prepare(sql).pluck().get());

    before(async () => {
      ws = await createWorkstation({ dbPath: backend.location('compact'), shell: 'browser', user: 'ann' });
      store = ws.store;
    });
    after(async () => {
      await ws.close();
    });

    test('superseded autosaves lose their files; everything referred to stays; check and audit still pass', async () => {
      const [photo] = await tintedPhotos(backend.dir, [`compact-${kind}`], W);
      const [{ imageId }] = (await importImageFiles(store, [{ imagePath: photo }], { actor: 'ann' }))
        .imported;
      const modelId = registerModel(store, { name: 'm', dirPath: backend.dir, architecture: {} }, 'ann').id;
      const prediction = await saveMaskVersion(store, {
        imageId,
        kind: 'prediction',
        author: 'model:m',
        modelId,
        mask: { width: W, height: W, data: pattern(40) },
      });
      let parentId: number | null = prediction.id;
      const draft = async (k: number, author = 'ann'): Promise<MaskVersion> => {
        const v = await saveMaskVersion(store, {
          imageId,
          kind: 'draft',
          author,
          mask: { width: W, height: W, data: pattern(k) },
          parentId,
        });
        parentId = v.id;
        return v;
      };
      const d1 = await draft(1);
      const d2 = await draft(2);
      const d3 = await draft(3);
      const d4 = await draft(4);
      const approval = approveMaskVersion(store, d4.id, 'rev');
      const reopened = reopenApprovedMask(store, imageId, 'ann', 'vessel missed');
      parentId = reopened.id;
      const d5 = await draft(5);
      const d6 = await draft(9); // the same pixels as the current draft: its file stays
      const d7 = await draft(3); // the same pixels as d3: one file for both
      const d8 = await draft(8);
      const restored = restoreMaskVersion(store, {
        imageId,
        author: 'ann',
        parentId: d8.id,
        clientId: null,
        nowMs: Date.now(),
        versionId: d2.id,
      });
      parentId = restored.id;
      const b1 = await draft(11, 'bob');
      const b2 = await draft(12, 'bob'); // bob's newest
      const current = await draft(9);

      const dropped = [d1, d3, d5, d6, d7, d8, b1];
      const gone = [d1, d3, d5, d8, b1].map((v) => blobPath(store, v.pngHash));
      const bytes = gone.reduce((n, f) => n + statSync(f).size, 0);
      const kept = [prediction, d2, d4, approval, reopened, restored, b2, current];
      const rows = count('SELECT COUNT(*) FROM mask_versions');
      const audits = count('SELECT COUNT(*) FROM audit_log');

      // Everything is recent by today's clock: nothing to do.
      const today = compactStudy(store, { actor: 'admin' });
      assert.deepEqual([today.versions, today.files, today.bytes], [0, 0, 0]);

      const later = new Date(Date.now() + 31 * DAY_MS);
      const dry = compactStudy(store, { actor: 'admin', now: later, dryRun: true });
      assert.deepEqual(
        dry.versionIds,
        dropped.map((v) => v.id),
      );
      assert.deepEqual([dry.images, dry.files, dry.bytes], [1, 5, bytes]);
      assert.ok(
        gone.every((f) => existsSync(f)),
        'a dry run removed a file',
      );
      assert.equal(count('SELECT COUNT(*) FROM compacted_versions'), 0);
      assert.equal(count('SELECT COUNT(*) FROM audit_log'), audits, 'nothing compacted, nothing audited');

      const r = compactStudy(store, { actor: 'admin', now: later });
      assert.deepEqual(
        r.versionIds,
        dropped.map((v) => v.id),
      );
      assert.deepEqual([r.dryRun, r.files, r.bytes], [false, 5, bytes]);
      assert.ok(gone.every((f) => !existsSync(f)));
      for (const v of [...kept, d6]) assert.ok(existsSync(blobPath(store, v.pngHash)), `version ${v.id}`);
      assert.equal(count('SELECT COUNT(*) FROM mask_versions'), rows);
      const entry = store.db
        .prepare(
          "SELECT actor, details FROM audit_log WHERE action = 'study.compact' ORDER BY id DESC LIMIT 1",
        )
        .get() as { actor: string; details: string };
      assert.equal(entry.actor, 'admin');
      assert.deepEqual(
        (({ versions, images, files, bytes: b }) => ({ versions, images, files, bytes: b }))(
          JSON.parse(entry.details) as Record<string, number>,
        ),
        { versions: 7, images: 1, files: 5, bytes },
      );

      const check = await checkStore(store, { verifyHashes: true });
      assert.equal(check.ok, true, JSON.stringify(check));
      assert.deepEqual(check.missingBlobs, []);
      assert.equal(check.auditChain?.ok, true);
      assert.equal(check.storage.compactedVersions, 7);
      assert.equal(check.storage.olderDrafts, 5); // d2, d4, the reopen, the restore and bob's newest: kept whole

      // Compacting again finds nothing more.
      const again = compactStudy(store, { actor: 'admin', now: later });
      assert.deepEqual([again.versions, again.files], [0, 0]);

      // Reading a compacted version says so: the History's preview, a restore, the pixels themselves. When, in
      // main's zone, named: 19:00 UTC on 6 December, read at UTC+14, is 09:00 on the 7th.
      store.db
        .prepare('UPDATE compacted_versions SET compacted_at = ? WHERE mask_version_id = ?')
        .run('2026-12-06T19:00:00.000Z', d6.id);
      const zone = process.env.TZ;
      process.env.TZ = 'Pacific/Kiritimati';
      const said = 'version 9 was compacted on 2026-12-07 09:00 GMT+14; its pixels are no longer kept';
      try {
        await assert.rejects(
          call('getMaskVersionPreview', { imageId: String(imageId), versionId: String(d6.id) }),
          { message: said, code: 'not-found' },
        );
        assert.throws(
          () =>
            restoreMaskVersion(store, {
              imageId,
              author: 'ann',
              parentId: current.id,
              clientId: null,
              nowMs: Date.now(),
              versionId: d6.id,
            }),
          { message: said },
        );
        await assert.rejects(loadMask(store, d6), { message: said });
      } finally {
        if (zone === undefined) delete process.env.TZ;
        else process.env.TZ = zone;
      }
      // A kept version still opens.
      const shown = await call('getMaskVersionPreview', {
        imageId: String(imageId),
        versionId: String(d2.id),
      });
      assert.deepEqual(shown.data, pattern(2));

      // The History says which versions were compacted, instead of offering to open them.
      const history = await call('getImageHistory', { imageId: String(imageId) });
      const marked = history.entries.filter((e) => e.compacted).map((e) => Number(e.versionId));
      assert.ok(marked.length > 0, 'a run of drafts ending in a compacted one');
      assert.ok(
        marked.every((id) => dropped.some((v) => v.id === id)),
        `marked ${marked}, compacted ${dropped.map((v) => v.id)}`,
      );
      assert.ok(
        history.entries.every(
          (e) => !e.versionId || dropped.some((v) => String(v.id) === e.versionId) === !!e.compacted,
        ),
      );

      // A backup copies what is left, and is whole.
      const backup = await backupStore(store, join(backend.dir, `backup-${kind}.db`));
      assert.ok(backup.blobsCopied > 0);
    });

    test("a refused edit of an old draft's pixels, with a compaction between its files and its write, keeps its file", async () => {
      // The second of two tints: a photograph other than the first test's.
      const [, photo] = await tintedPhotos(
        backend.dir,
        [`compact-race-a-${kind}`, `compact-race-${kind}`],
        W,
      );
      const [{ imageId }] = (await importImageFiles(store, [{ imagePath: photo }], { actor: 'ann' }))
        .imported;
      const save = (k: number, parentId: number | null, clientId: string): Promise<MaskVersion> =>
        saveMaskVersion(store, {
          imageId,
          kind: 'draft',
          author: 'ann',
          mask: { width: W, height: W, data: pattern(k) },
          parentId,
          editor: { clientId, nowMs: Date.now() },
        });
      const d1 = await save(21, null, 'window-1');
      const d2 = await save(22, d1.id, 'window-1');
      const d3 = await save(23, d2.id, 'window-1');
      // A second window, still on d1, saves d1's pixels; the compaction (another process) commits after that
      // save stored its file and before its write: d1's file is only d1's then, so it goes.
      const later = new Date(Date.now() + 31 * DAY_MS);
      let compacted: number[] = [];
      store.hooks.beforeWrite = (action) => {
        if (action !== 'save a draft mask') return;
        store.hooks.beforeWrite = undefined;
        compacted = compactStudy(store, { actor: 'admin', now: later }).versionIds;
      };
      const refused = await save(21, d1.id, 'window-2').then(
        () => assert.fail('a stale save went through'),
        (e: unknown) => e,
      );
      store.hooks.beforeWrite = undefined;
      assert.ok(refused instanceof EditRefusedError, String(refused));
      assert.ok(compacted.includes(d1.id), `compacted ${compacted}`);

      // The kept draft has its file: the check finds nothing missing, and adopting it gives its pixels.
      assert.ok(existsSync(blobPath(store, d1.pngHash)), "the kept draft's file is missing");
      const check = await checkStore(store, {});
      assert.deepEqual(check.missingBlobs, []);
      const adopted = adoptKeptDraft(store, {
        keptDraftId: refused.keptDraftId,
        author: 'ann',
        parentId: d3.id,
        clientId: 'window-2',
        nowMs: Date.now(),
      });
      assert.deepEqual((await loadMask(store, adopted)).data, pattern(21));
    });

    test('a file that cannot be removed stays, and does not undo the compaction of the files already removed', async () => {
      const [, , photo] = await tintedPhotos(
        backend.dir,
        [`compact-left-a-${kind}`, `compact-left-b-${kind}`, `compact-left-${kind}`],
        W,
      );
      const [{ imageId }] = (await importImageFiles(store, [{ imagePath: photo }], { actor: 'ann' }))
        .imported;
      let parentId: number | null = null;
      const drafts: MaskVersion[] = [];
      for (const k of [31, 32, 33]) {
        const v: MaskVersion = await saveMaskVersion(store, {
          imageId,
          kind: 'draft',
          author: 'ann',
          mask: { width: W, height: W, data: pattern(k) },
          parentId,
        });
        drafts.push(v);
        parentId = v.id;
      }
      const [d1, d2] = drafts;
      // d2's file cannot be removed (as a shared folder's file another user owns): here a folder in its place.
      const stuck = blobPath(store, d2.pngHash);
      rmSync(stuck);
      mkdirSync(stuck);
      const d1Bytes = statSync(blobPath(store, d1.pngHash)).size;

      const r = compactStudy(store, { actor: 'admin', now: new Date(Date.now() + 31 * DAY_MS) });
      assert.ok(r.versionIds.includes(d1.id) && r.versionIds.includes(d2.id), `compacted ${r.versionIds}`);
      assert.equal(r.filesLeft, 1);
      assert.ok(r.bytes >= d1Bytes);
      assert.equal(existsSync(blobPath(store, d1.pngHash)), false);
      assert.ok(existsSync(stuck));
      // Both are marked compacted: none is a version whose file is missing.
      const check = await checkStore(store, {});
      assert.deepEqual(check.missingBlobs, []);
      await assert.rejects(loadMask(store, d1), /was compacted on/);
      rmSync(stuck, { recursive: true });
    });

    test('erasing an image after a compaction counts only the files it removed', async () => {
      const [, , , photo] = await tintedPhotos(
        backend.dir,
        ['a', 'b', 'c', `compact-erase-${kind}`].map((n) => `${n}-erase-${kind}`),
        W,
      );
      const [{ imageId }] = (await importImageFiles(store, [{ imagePath: photo }], { actor: 'ann' }))
        .imported;
      let parentId: number | null = null;
      for (const k of [41, 42, 43, 44]) {
        parentId = (
          await saveMaskVersion(store, {
            imageId,
            kind: 'draft',
            author: 'ann',
            mask: { width: W, height: W, data: pattern(k) },
            parentId,
          })
        ).id;
      }
      const r = compactStudy(store, { actor: 'admin', now: new Date(Date.now() + 31 * DAY_MS) });
      assert.ok(r.files >= 3, `freed ${r.files}`);
      const files = (): number =>
        readdirSync(store.filesDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
          .length;
      const before = files();
      const erased = await eraseRecords(store, { images: [imageId] }, 'admin');
      assert.equal(erased.filesRemoved, before - files(), "the compacted drafts' files were counted again");
    });
  });
