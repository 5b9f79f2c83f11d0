// One editor per image, through the real browser-mode server on a real SQLite file, with two clients (two windows):
// stale saves are refused and kept as drafts with their pixels; a lease blocks a second editor, holds while its
// heartbeat runs, expires without one and is taken over only explicitly (audited). The lease clock is injected:
// nothing here sleeps or reads the wall clock.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWorkstation, type Workstation } from '../../main/handlers/index.js';
import { startServer, type RetinaServer } from '../../main/server/index.js';
import { checkStore, getKeptDraft, listAudit, listMaskVersions } from '../../main/store/index.js';
import { blobPath } from '../../main/store/file-store.js';
import {
  createHttpClient,
  type FetchLike,
  type HttpClient,
  type WebSocketCtor,
} from '../../renderer/src/transport/httpClient.js';
import { RpcError } from '../../shared/contract.js';
import { driveTestImage } from '../e2e/model-fixture.js';
import { WebSocket } from 'ws';
import { STORE_BACKENDS, useStoreBackend } from '../support/store-backends.js';
import { importImageFiles } from '../../main/store/index.js';

const WIDTH = 565;
const HEIGHT = 584;
const LEASE_MS = 30_000;

/** A mask of its own for each client: every `step`-th pixel a vessel. */
function stripes(step: number): Uint8Array {
  const m = new Uint8Array(WIDTH * HEIGHT);
  for (let i = 0; i < m.length; i += step) m[i] = 1;
  return m;
}

function rejectsWith(code: string, pattern: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof RpcError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    return true;
  };
}

for (const kind of STORE_BACKENDS)
  describe(`edit leases and stale saves over the browser-mode server (${kind})`, () => {
    const backend = useStoreBackend(kind);
    let dir: string;
    let ws: Workstation;
    let server: RetinaServer;
    let alice: HttpClient;
    let bob: HttpClient;
    let imageId: string;
    let now = Date.parse('2026-03-02T09:00:00.000Z');
    const A = 'window-alice-0001';
    const B = 'window-bob-00002';
    /** A window's client of the server; with `windowId`, its event socket names that window. */
    const client = (windowId?: string) =>
      createHttpClient({
        baseUrl: `http://127.0.0.1:${server.port}`,
        token: server.token,
        fetch: fetch as unknown as FetchLike,
        WebSocket: WebSocket as unknown as WebSocketCtor,
        ...(windowId ? { windowId } : {}),
      });
    /** A draft of this image's size from `c`, built on `parent`, as window `clientId` (absent: none named). */
    const save = (c: HttpClient, mask: Uint8Array, parent: string | null, clientId?: string) =>
      c.invoke('saveDraft', {
        imageId,
        width: WIDTH,
        height: HEIGHT,
        mask,
        parentVersionId: parent,
        ...(clientId ? { clientId } : {}),
      });

    /**
     * A window behind a network that drops the answer it is told to: the request reaches the server and commits,
     * the window hears only that the server could not be reached.
     */
    const lossyClient = () => {
      let dropNext = false;
      const realFetch = fetch as unknown as FetchLike;
      const lossy = createHttpClient({
        baseUrl: `http://127.0.0.1:${server.port}`,
        token: server.token,
        fetch: async (url, init) => {
          const res = await realFetch(url, init);
          if (!dropNext) return res;
          dropNext = false;
          await res.arrayBuffer();
          throw new TypeError('fetch failed');
        },
        WebSocket: WebSocket as unknown as WebSocketCtor,
      });
      /** Window A's save of `image` (a draft, or an approval) through it, with its save's ids. */
      const send = (
        mask: Uint8Array,
        parent: string | null,
        saveId: string,
        unansweredSaveIds?: string[],
        opts: { channel?: 'saveDraft' | 'approveMask'; image?: string } = {},
      ) =>
        lossy.invoke(opts.channel ?? 'saveDraft', {
          imageId: opts.image ?? imageId,
          width: WIDTH,
          height: HEIGHT,
          mask,
          parentVersionId: parent,
          clientId: A,
          saveId,
          ...(unansweredSaveIds ? { unansweredSaveIds } : {}),
        });
      return { lossy, send, dropNextAnswer: () => void (dropNext = true) };
    };

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'retina-leases-test-'));
      const staticDir = path.join(dir, 'renderer');
      await mkdir(staticDir, { recursive: true });
      await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>RetinaStudio</title>');
      process.env.RETINA_DEFAULT_MODEL = path.join(dir, 'no-model-here');
      ws = await createWorkstation({
        dbPath: backend.location('leases'),
        shell: 'browser',
        user: 'tester',
        leaseClock: { now: () => now, durationMs: LEASE_MS },
      });
      server = await startServer({
        handlers: ws.handlers,
        events: ws.events,
        staticDir,
        onWindowGone: (clientId, user) => ws.windowGone(clientId, user),
        windowGoneGraceMs: 50,
      });
      alice = client();
      bob = client();
      // Imported directly: on a team database the app's import would wait for a worker.
      await importImageFiles(ws.store, [{ imagePath: driveTestImage('01') }], { actor: 'tester' });
      imageId = (await alice.invoke('listImages', { offset: 0, limit: 1 })).items[0].id;
    });

    after(async () => {
      alice.close();
      bob.close();
      await server.close();
      await ws.close();
      await rm(dir, { recursive: true, force: true });
    });

    test('two clients save from the same version: one succeeds, the other is refused and kept with its pixels', async () => {
      const opened = await alice.invoke('getMasks', { imageId });
      assert.equal(opened.draft, null);
      const masks = { alice: stripes(7), bob: stripes(11) };
      const results = await Promise.allSettled([
        save(alice, masks.alice, null, A),
        save(bob, masks.bob, null, B),
      ]);
      const won = results.findIndex((r) => r.status === 'fulfilled');
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'exactly one save wins');
      const lost = results[1 - won] as PromiseRejectedResult;
      rejectsWith(
        'conflict',
        /saved by tester at \d\d:\d\d \S+ after you opened it; your edit is kept as draft #\d+/,
      )(lost.reason);
      const winner = won === 0 ? masks.alice : masks.bob;
      const loser = won === 0 ? masks.bob : masks.alice;

      // The winner's draft is the image's mask; the loser's never replaced it.
      const current = await bob.invoke('getMasks', { imageId });
      assert.ok(current.draft);
      assert.ok(Buffer.from(current.draft.data).equals(Buffer.from(winner)));

      // The loser's edit survives, pixel for pixel, as a kept draft.
      const { drafts } = await bob.invoke('listKeptDrafts', { imageId });
      assert.equal(drafts.length, 1);
      const n = /draft #(\d+)/.exec((lost.reason as Error).message)![1];
      assert.equal(drafts[0].id, n);
      assert.equal(drafts[0].reason, 'stale');
      assert.equal(drafts[0].basedOnVersion, null);
      assert.equal(drafts[0].currentVersion, current.draft.version);
      assert.equal(drafts[0].adoptedVersionId, null);
      const kept = await bob.invoke('getKeptDraft', { keptDraftId: drafts[0].id });
      assert.ok(Buffer.from(kept.data).equals(Buffer.from(loser)), 'the kept draft lost pixels');
      // Its pixels are a blob like any version's: `db check` (and backups) count it among the referenced ones.
      assert.equal((await checkStore(ws.store, { verifyHashes: true })).ok, true);
      const blob = blobPath(ws.store, getKeptDraft(ws.store, Number(kept.id)).pngHash);
      const bytes = await readFile(blob);
      await unlink(blob);
      assert.deepEqual((await checkStore(ws.store)).missingBlobs, [
        getKeptDraft(ws.store, Number(kept.id)).pngHash,
      ]);
      await writeFile(blob, bytes);

      // Adopting from a version that is not the current one is refused; from the current one it makes a new draft.
      await assert.rejects(
        bob.invoke('adoptKeptDraft', { keptDraftId: kept.id, parentVersionId: null, clientId: B }),
        rejectsWith('conflict', /saved by tester/),
      );
      const adopted = await bob.invoke('adoptKeptDraft', {
        keptDraftId: kept.id,
        parentVersionId: current.draft.versionId,
        clientId: B,
      });
      const after = await alice.invoke('getMasks', { imageId });
      assert.equal(after.draft?.versionId, adopted.versionId);
      assert.equal(after.draft?.parentVersionId, current.draft.versionId);
      assert.ok(Buffer.from(after.draft.data).equals(Buffer.from(loser)));
      const listed = await alice.invoke('listKeptDrafts', { imageId });
      assert.equal(listed.drafts[0].adoptedVersionId, adopted.versionId);
      await assert.rejects(
        bob.invoke('adoptKeptDraft', {
          keptDraftId: kept.id,
          parentVersionId: adopted.versionId,
          clientId: B,
        }),
        rejectsWith('conflict', /already adopted/),
      );
      const actions = listAudit(ws.store, { entity: 'kept_draft' }).map((e) => e.action);
      assert.deepEqual(actions.sort(), ['mask.adopt', 'mask.kept']);

      // A save naming the current version goes through as before.
      const next = await save(alice, winner, adopted.versionId, A);
      assert.equal(next.status, 'draft');
    });

    test('a lease blocks a second editor, holds with heartbeats, expires without them, and is taken over explicitly', async () => {
      const parent = (await alice.invoke('getMasks', { imageId })).draft!.versionId;
      const first = await alice.invoke('acquireEditLease', { imageId, clientId: A });
      assert.equal(first.granted, true);
      assert.equal(first.lease?.holder, 'tester');
      assert.ok(first.heartbeatMs < LEASE_MS);

      // Bob sees who edits, cannot take a live lease, and his save is refused but kept.
      const seen = await bob.invoke('acquireEditLease', { imageId, clientId: B, takeOver: true });
      assert.equal(seen.granted, false);
      assert.deepEqual([seen.lease?.mine, seen.lease?.live], [false, true]);
      const listed = await bob.invoke('listImages', { offset: 0, limit: 5 });
      assert.equal(listed.items[0].editedBy?.holder, 'tester');
      const edit = stripes(5);
      await assert.rejects(
        save(bob, edit, parent, B),
        rejectsWith(
          'conflict',
          /being edited by tester since \d\d:\d\d \S+; your edit is kept as draft #\d+/,
        ),
      );
      const kept = (await bob.invoke('listKeptDrafts', { imageId })).drafts[0];
      assert.equal(kept.reason, 'lease');
      assert.ok(
        Buffer.from((await bob.invoke('getKeptDraft', { keptDraftId: kept.id })).data).equals(
          Buffer.from(edit),
        ),
      );
      // Nor may he save without naming a window.
      await assert.rejects(save(bob, edit, parent), rejectsWith('conflict', /being edited by/));

      // Alice's heartbeats keep the lease past its first expiry.
      now += LEASE_MS * 0.6;
      assert.equal((await alice.invoke('acquireEditLease', { imageId, clientId: A })).granted, true);
      now += LEASE_MS * 0.6;
      const during = await bob.invoke('acquireEditLease', { imageId, clientId: B, takeOver: true });
      assert.equal(during.granted, false, 'a renewed lease is still live');
      assert.equal(during.lease?.since, first.lease?.since, 'renewing keeps the time it was taken');
      // A lease let lapse and taken again by its own window starts again: "being edited since" is then.
      now += LEASE_MS + 1;
      const again = await alice.invoke('acquireEditLease', { imageId, clientId: A });
      assert.equal(again.granted, true);
      assert.equal(again.lease?.since, new Date(now).toISOString(), 'a lapsed lease kept its first start');

      // Without heartbeats it expires: Bob sees it expired, and takes it over only when he asks to.
      now += LEASE_MS + 1;
      const expired = await bob.invoke('getEditLease', { imageId, clientId: B });
      assert.deepEqual([expired.granted, expired.lease?.live], [false, false]);
      assert.equal((await bob.invoke('acquireEditLease', { imageId, clientId: B })).granted, false);
      assert.equal(
        listAudit(ws.store, { entity: 'image' }).filter((e) => e.action === 'lease.take-over').length,
        0,
      );
      const taken = await bob.invoke('acquireEditLease', { imageId, clientId: B, takeOver: true });
      assert.deepEqual([taken.granted, taken.lease?.mine], [true, true]);
      const audit = listAudit(ws.store, { entity: 'image' }).filter((e) => e.action === 'lease.take-over');
      assert.equal(audit.length, 1);
      assert.equal(audit[0].entityId, Number(imageId));
      assert.deepEqual((audit[0].details as { from: string }).from, 'tester');

      // Now Alice is the one refused (her edit kept), her heartbeat no longer grants, and only Bob can release it.
      await assert.rejects(save(alice, edit, parent, A), rejectsWith('conflict', /kept as draft/));
      assert.equal((await alice.invoke('acquireEditLease', { imageId, clientId: A })).granted, false);
      await assert.rejects(
        alice.invoke('reopenMask', { imageId, clientId: A }),
        rejectsWith('conflict', /being edited by \S+ since \d\d:\d\d \S+$/),
      );
      const saved = await save(bob, edit, parent, B);
      assert.equal(saved.status, 'draft');
      assert.deepEqual(await alice.invoke('releaseEditLease', { imageId, clientId: A }), { released: false });
      assert.deepEqual(await bob.invoke('releaseEditLease', { imageId, clientId: B }), { released: true });
      const free = await alice.invoke('getEditLease', { imageId, clientId: A });
      assert.equal(free.lease, null);
      assert.equal((await alice.invoke('listImages', { offset: 0, limit: 5 })).items[0].editedBy, null);
      // A released lease is free to take without any take-over.
      const taken2 = await alice.invoke('acquireEditLease', { imageId, clientId: A });
      assert.equal(taken2.granted, true);

      // A reload: the old page's release, sent as it went, lands after the new page (the same window) renewed the
      // lease. It names the lease as the old page last held it, so it no longer takes the new page's lease away.
      now += 1000;
      const reloaded = await alice.invoke('acquireEditLease', { imageId, clientId: A });
      const late = { imageId, clientId: A, expiresAt: taken2.lease!.expiresAt };
      assert.deepEqual(await alice.invoke('releaseEditLease', late), { released: false });
      assert.equal((await bob.invoke('getEditLease', { imageId, clientId: B })).lease?.holder, 'tester');
      const current = { imageId, clientId: A, expiresAt: reloaded.lease!.expiresAt };
      assert.deepEqual(await alice.invoke('releaseEditLease', current), { released: true });
    });

    test("the worklist marks an image being edited in another window, not in the asking window's own", async () => {
      // Alice's window holds the lease (the test before left it so).
      assert.equal((await alice.invoke('acquireEditLease', { imageId, clientId: A })).granted, true);
      const marker = async (clientId?: string) =>
        (await bob.invoke('listImages', { offset: 0, limit: 5, ...(clientId ? { clientId } : {}) })).items[0]
          .editedBy;
      assert.equal((await marker(B))?.holder, 'tester', "bob's window sees alice's");
      assert.equal((await marker())?.holder, 'tester', 'a list that names no window sees it too');
      assert.equal(await marker(A), null, "alice's own window does not");
    });

    test('taking and giving back a lease is announced as a lease change only; a save is not', async () => {
      // Bob's window listens; what reads pixels, measures or history (the Measurements panel: seconds of work on a
      // large photograph) skips an announcement that only the lease changed.
      const next = () =>
        new Promise<{ leaseOnly?: true }>((resolve) => {
          const off = bob.on('imagesChanged', (p) => {
            if (!p.imageIds.includes(imageId)) return;
            off();
            resolve(p);
          });
        });
      await alice.invoke('releaseEditLease', { imageId, clientId: A });
      let heard = next();
      assert.equal((await alice.invoke('acquireEditLease', { imageId, clientId: A })).granted, true);
      assert.equal((await heard).leaseOnly, true);
      heard = next();
      const parent = (await alice.invoke('getMasks', { imageId })).draft!.versionId;
      await save(alice, stripes(7), parent, A);
      assert.equal((await heard).leaseOnly, undefined);
      heard = next();
      assert.deepEqual(await alice.invoke('releaseEditLease', { imageId, clientId: A }), { released: true });
      assert.equal((await heard).leaseOnly, true);
      // Left as the test before left it: Alice's window holds the lease.
      assert.equal((await alice.invoke('acquireEditLease', { imageId, clientId: A })).granted, true);
    });

    test("a closed window's leases are given back once its event socket is gone, and the others hear of it", async () => {
      assert.deepEqual(await alice.invoke('releaseEditLease', { imageId, clientId: A }), { released: true });
      const C = 'window-carol-003';
      const carol = client(C);
      await new Promise<void>((resolve) => carol.onResync(resolve));
      assert.equal((await carol.invoke('acquireEditLease', { imageId, clientId: C })).granted, true);
      const heard = new Promise<void>((resolve) => {
        const off = alice.on('imagesChanged', (p) => {
          if (!p.imageIds.includes(imageId)) return;
          off();
          resolve();
        });
      });
      carol.close();
      await heard;
      assert.equal((await alice.invoke('getEditLease', { imageId, clientId: A })).lease, null);
    });

    test("a save whose reply was lost is not refused against the window's own version when retried or followed", async () => {
      const { lossy, send, dropNextAnswer } = lossyClient();
      const versions = () => listMaskVersions(ws.store, Number(imageId));
      const keptCount = async () => (await alice.invoke('listKeptDrafts', { imageId })).drafts.length;
      try {
        // Opened at a draft of its own (the suite's tests may run alone).
        const shown = (await alice.invoke('getMasks', { imageId })).draft?.versionId ?? null;
        const opened = (await save(alice, stripes(2), shown, A)).versionId;
        const before = versions().length;
        const kept = await keptCount();

        // The save commits; its answer is lost.
        const first = stripes(3);
        dropNextAnswer();
        await assert.rejects(
          send(first, opened, 'save-alice-0001'),
          rejectsWith('unreachable', /cannot reach/),
        );
        assert.equal(versions().length, before + 1, 'the save reached the server');
        const made = versions().at(-1)!;

        // The same request again (the window, or a proxy, retries): the version already made, not a second one.
        const retried = await send(first, opened, 'save-alice-0001');
        assert.equal(retried.versionId, String(made.id));
        assert.equal(versions().length, before + 1, 'a retried save made a second version');

        // Lost again, and the window goes on from the version it last knew, naming the save it had no answer to.
        const second = stripes(4);
        dropNextAnswer();
        await assert.rejects(
          send(second, retried.versionId, 'save-alice-0002'),
          rejectsWith('unreachable', /./),
        );
        const lost = versions().at(-1)!;
        assert.equal(lost.parentId, made.id);
        const third = stripes(6);
        const next = await send(third, retried.versionId, 'save-alice-0003', ['save-alice-0002']);
        assert.equal(versions().length, before + 3);
        assert.equal(await keptCount(), kept, "the window's own save was taken for someone else's");
        const now3 = (await alice.invoke('getMasks', { imageId })).draft!;
        assert.equal(now3.versionId, next.versionId);
        assert.equal(now3.parentVersionId, String(lost.id), 'the history runs through the lost save');
        assert.ok(Buffer.from(now3.data).equals(Buffer.from(third)));

        // Another window's real save in between is still stale, whatever unanswered saves this one names.
        dropNextAnswer();
        await assert.rejects(
          send(stripes(8), next.versionId, 'save-alice-0004'),
          rejectsWith('unreachable', /./),
        );
        const mine = versions().at(-1)!;
        const bobs = await save(bob, stripes(9), String(mine.id), B);
        await assert.rejects(
          send(stripes(10), next.versionId, 'save-alice-0005', ['save-alice-0004']),
          rejectsWith(
            'conflict',
            /saved by tester at .* after you opened it; your edit is kept as draft #\d+/,
          ),
        );
        // Nor can a window pass another's version off as its own by naming an id it did not send.
        await assert.rejects(
          send(stripes(10), String(mine.id), 'save-alice-0006', ['save-alice-0004', 'no-such-save-1']),
          rejectsWith('conflict', /kept as draft/),
        );
        assert.equal((await alice.invoke('getMasks', { imageId })).draft!.versionId, bobs.versionId);
        assert.equal(await keptCount(), kept + 2);
      } finally {
        lossy.close();
      }
    });

    test("an approval whose reply was lost: the window's next saves meet its own approval, not someone else's", async () => {
      // An image of its own: it ends approved.
      await importImageFiles(ws.store, [{ imagePath: driveTestImage('02') }], { actor: 'tester' });
      const other = (await alice.invoke('listImages', { offset: 0, limit: 10 })).items.find(
        (i) => i.id !== imageId,
      )!.id;
      const { lossy, send: sendTo, dropNextAnswer } = lossyClient();
      const send = (
        channel: 'saveDraft' | 'approveMask',
        mask: Uint8Array,
        parent: string | null,
        saveId: string,
        unansweredSaveIds: string[] = [],
      ) => sendTo(mask, parent, saveId, unansweredSaveIds, { channel, image: other });
      const kept = async () => (await alice.invoke('listKeptDrafts', { imageId: other })).drafts.length;
      try {
        const opened = (await send('saveDraft', stripes(2), null, 'appr-alice-0001')).versionId;
        const approved = stripes(3);
        dropNextAnswer();
        await assert.rejects(
          send('approveMask', approved, opened, 'appr-alice-0002'),
          rejectsWith('unreachable', /./),
        );
        const approval = (await alice.invoke('getMasks', { imageId: other })).approved!;
        const versions = listMaskVersions(ws.store, Number(other)).length;

        // The window leaves the image: its unsaved mask (the approved one) is saved once more.
        const again = await send('saveDraft', approved, opened, 'appr-alice-0003', ['appr-alice-0002']);
        assert.equal(again.versionId, approval.versionId, 'answered with the approval it made');
        assert.equal(again.status, 'approved');
        assert.equal(listMaskVersions(ws.store, Number(other)).length, versions);
        assert.equal(await kept(), 0, "the window's own approval was taken for someone else's");

        // An edit made after it: the approved mask changes only by a reopen, so the edit is kept, said as the
        // window's own approval (not "approved by tester ... after you opened it").
        await assert.rejects(
          send('saveDraft', stripes(5), opened, 'appr-alice-0004', ['appr-alice-0002']),
          rejectsWith(
            'conflict',
            /approved by you at .*reopen it to edit the approved mask: your edit is kept as draft #\d+/,
          ),
        );
        await assert.rejects(
          send('approveMask', stripes(5), opened, 'appr-alice-0005', ['appr-alice-0002']),
          rejectsWith('conflict', /approved by you at .*kept as draft #\d+/),
        );
        assert.equal(await kept(), 2);
        const now2 = await alice.invoke('getMasks', { imageId: other });
        assert.equal(now2.review.status, 'approved');
        assert.equal(now2.approved!.versionId, approval.versionId);
        assert.equal(listMaskVersions(ws.store, Number(other)).length, versions);

        // Another window's approval after a reopen is still stale, whatever this window names.
        const reopened = await bob.invoke('reopenMask', { imageId: other, clientId: B });
        const bobs = await bob.invoke('approveMask', {
          imageId: other,
          width: WIDTH,
          height: HEIGHT,
          mask: stripes(7),
          parentVersionId: reopened.versionId,
          clientId: B,
        });
        await assert.rejects(
          send('saveDraft', approved, opened, 'appr-alice-0006', ['appr-alice-0002']),
          rejectsWith(
            'conflict',
            /approved by tester at .* after you opened it; your edit is kept as draft #\d+/,
          ),
        );
        assert.equal(
          (await alice.invoke('getMasks', { imageId: other })).approved!.versionId,
          bobs.versionId,
        );
      } finally {
        lossy.close();
      }
    });

    test('a restore or an adoption whose reply was lost, sent again, is answered with the version it made', async () => {
      const { lossy, dropNextAnswer } = lossyClient();
      const versions = () => listMaskVersions(ws.store, Number(imageId));
      const audited = (action: string) => listAudit(ws.store).filter((e) => e.action === action).length;
      try {
        const current = (await alice.invoke('getMasks', { imageId })).draft?.versionId ?? null;
        const earlier = (await save(alice, stripes(15), current, A)).versionId;
        const shown = (await save(alice, stripes(16), earlier, A)).versionId;

        // Version `earlier` restored; the answer is lost. The window (the user clicking Restore again) sends it again.
        const restore = {
          imageId,
          versionId: earlier,
          parentVersionId: shown,
          clientId: A,
          saveId: 'restore-a-0001',
        };
        const before = versions().length;
        const restores = audited('mask.restore');
        dropNextAnswer();
        await assert.rejects(lossy.invoke('restoreMaskVersion', restore), rejectsWith('unreachable', /./));
        assert.equal(versions().length, before + 1, 'the restore reached the server');
        const restored = versions().at(-1)!;
        const again = await lossy.invoke('restoreMaskVersion', restore);
        assert.equal(again.versionId, String(restored.id), 'answered with the version the restore made');
        assert.equal(versions().length, before + 1, 'restored twice');
        assert.equal(audited('mask.restore'), restores + 1);

        // A kept draft adopted, its answer lost, sent again.
        await assert.rejects(save(alice, stripes(17), shown, A), rejectsWith('conflict', /kept as draft/));
        const kept = (await alice.invoke('listKeptDrafts', { imageId })).drafts[0];
        const adopt = {
          keptDraftId: kept.id,
          parentVersionId: String(restored.id),
          clientId: A,
          saveId: 'adopt-a-00001',
        };
        dropNextAnswer();
        await assert.rejects(lossy.invoke('adoptKeptDraft', adopt), rejectsWith('unreachable', /./));
        const adopted = versions().at(-1)!;
        assert.equal(getKeptDraft(ws.store, Number(kept.id)).adoptedId, adopted.id);
        const adoptedAgain = await lossy.invoke('adoptKeptDraft', adopt);
        assert.equal(
          adoptedAgain.versionId,
          String(adopted.id),
          'answered with the version the adoption made',
        );
        assert.equal(versions().length, before + 2, 'adopted twice');

        // An id is one act's: another restore under it is refused, not answered with the adoption's version.
        await assert.rejects(
          lossy.invoke('restoreMaskVersion', { ...restore, parentVersionId: String(adopted.id) }),
          (e: unknown) => e instanceof RpcError && /another/.test(e.message),
        );
        await assert.rejects(
          lossy.invoke('restoreMaskVersion', { ...restore, versionId: shown, saveId: 'adopt-a-00001' }),
          (e: unknown) => e instanceof RpcError && /another/.test(e.message),
        );
        assert.equal(versions().length, before + 2);
      } finally {
        lossy.close();
      }
    });

    test('a refused save whose reply was lost, sent again, is answered with the draft kept the first time', async () => {
      const { lossy, send, dropNextAnswer } = lossyClient();
      try {
        const current = (await alice.invoke('getMasks', { imageId })).draft!.versionId;
        // Someone else saved after the window opened the image at `opened`.
        const opened = (await save(alice, stripes(12), current, A)).versionId;
        await save(bob, stripes(13), opened, B);
        const before = (await alice.invoke('listKeptDrafts', { imageId })).drafts.length;
        dropNextAnswer();
        await assert.rejects(send(stripes(14), opened, 'refused-alice-01'), rejectsWith('unreachable', /./));
        const first = (await alice.invoke('listKeptDrafts', { imageId })).drafts;
        assert.equal(first.length, before + 1, 'the refused edit was kept');
        let message = '';
        await assert.rejects(send(stripes(14), opened, 'refused-alice-01'), (e: unknown) => {
          message = e instanceof Error ? e.message : '';
          return rejectsWith('conflict', /kept as draft #\d+/)(e);
        });
        assert.match(message, new RegExp(`kept as draft #${first[0].id}\\b`));
        assert.equal(
          (await alice.invoke('listKeptDrafts', { imageId })).drafts.length,
          before + 1,
          'kept twice',
        );
      } finally {
        lossy.close();
      }
    });
  });
