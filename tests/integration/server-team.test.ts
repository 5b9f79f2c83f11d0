// Team mode of the browser-mode server on a real SQLite file: logins (wrong password, unknown user, throttled to
// 429), sessions (cookie, expiry, logout), roles enforced on the server (an annotator sees only their images and
// cannot approve), the review hand-off (submit, send back with a comment, fix, re-approve; a save from the side
// that handed the image on is kept aside, never saved over), and audit rows that name the people who did each thing.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWorkstation, type Workstation } from '../../main/handlers/index.js';
import { startServer, type RetinaServer } from '../../main/server/index.js';
import { Accounts } from '../../main/accounts/accounts.js';
import { LoginThrottle } from '../../main/accounts/login-throttle.js';
import { hashPassword } from '../../main/accounts/passwords.js';
import {
  createUser,
  getKeptDraft,
  importImageFiles,
  listAudit,
  loadKeptMask,
  getLease,
  openStore,
} from '../../main/store/index.js';
import { keptDraftOf } from '../../shared/edit-lease.js';
import type {
  AgreementPayload,
  EventOf,
  ImageSummary,
  MasksResponse,
  MeasurementsPayload,
  ReadersPayload,
  RpcResult,
  SavedVersion,
} from '../../shared/contract.js';
import {
  decodeEvent,
  decodeFrame,
  encodeFrame,
  FRAME_CONTENT_TYPE,
  SESSION_ENDED_CLOSE,
} from '../../shared/transport.js';
import { WebSocket } from 'ws';
import { connect } from 'node:net';
import { driveTestImage } from '../e2e/model-fixture.js';
import { raw, wsStatus } from './raw-http.js';

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array): boolean =>
  a !== undefined && Buffer.from(a).equals(Buffer.from(b));

const PASSWORDS = {
  ada: 'ada admin pass',
  rita: 'rita reviews a lot',
  anna: 'anna annotates',
  otto: 'otto annotates',
};
type Name = keyof typeof PASSWORDS;

describe('team-mode server', () => {
  let dir: string;
  let ws: Workstation;
  let server: RetinaServer;
  let now = new Date('2026-12-01T08:00:00Z').getTime();
  const clock = () => now;
  const cookies = new Map<Name, string>();
  let images: string[] = [];

  const login = (user: string, password: string) =>
    raw(server.port, {
      method: 'POST',
      path: '/auth/login',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user, password }),
    });

  async function rpcAs<T>(
    who: Name | null,
    channel: string,
    payload: unknown,
  ): Promise<{ status: number; result: RpcResult<T> }> {
    const res = await raw(server.port, {
      method: 'POST',
      path: `/rpc/${channel}`,
      headers: { 'content-type': FRAME_CONTENT_TYPE, ...(who ? { cookie: cookies.get(who) ?? '' } : {}) },
      body: encodeFrame(payload),
    });
    return { status: res.status, result: decodeFrame(res.body) as RpcResult<T> };
  }
  async function ok<T>(who: Name, channel: string, payload: unknown): Promise<T> {
    const { result } = await rpcAs<T>(who, channel, payload);
    if (!result.ok) assert.fail(`${who} ${channel}: ${result.error.code} ${result.error.message}`);
    return result.value;
  }
  async function refused(who: Name, channel: string, payload: unknown): Promise<string> {
    const { result } = await rpcAs(who, channel, payload);
    assert.equal(result.ok, false, `${who} ${channel} should be refused`);
    return result.ok ? '' : result.error.code;
  }
  const mask = (w: number, h: number, at: number) => {
    const m = new Uint8Array(w * h);
    m.fill(1, at, at + 50);
    return m;
  };

  /** A window's event socket as `who`: the events it heard, a wait for the n-th, and its close code. */
  /** `who`'s event socket, named as window `windowId` when given. */
  async function listen(who: Name, windowId?: string) {
    const query = windowId ? `?window=${windowId}` : '';
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/events${query}`, {
      headers: { cookie: cookies.get(who) ?? '' },
    });
    const events: { event: string; payload: unknown }[] = [];
    const waiters: (() => void)[] = [];
    socket.on('message', (data: Buffer) => {
      events.push(decodeEvent(new Uint8Array(data)));
      for (const w of waiters.splice(0)) w();
    });
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    /** Waits until `n` events arrived; a guard, not a deadline. */
    const until = async (n: number): Promise<void> => {
      const guard = Date.now() + 30_000;
      while (events.length < n) {
        if (Date.now() > guard) assert.fail(`${who} heard ${events.length} of ${n} events`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 1000);
        });
      }
    };
    return { socket, events, until, closed };
  }

  /** A save the hand-off refuses: a conflict naming why, the edit kept with its pixels, the image unchanged. */
  async function handedOffSave(
    who: Name,
    imageId: string,
    parent: string,
    at: number,
    why: RegExp,
  ): Promise<void> {
    const before = await ok<MasksResponse>(who, 'getMasks', { imageId });
    const { width, height } = before;
    const { result } = await rpcAs(who, 'saveDraft', {
      imageId,
      width,
      height,
      mask: mask(width, height, at),
      parentVersionId: parent,
    });
    assert.ok(!result.ok, `${who}'s save should be refused`);
    assert.equal(result.error.code, 'conflict');
    assert.match(result.error.message, why);
    const keptId = keptDraftOf(result.error.message);
    assert.ok(keptId, result.error.message);
    const kept = getKeptDraft(ws.store, Number(keptId));
    assert.deepEqual([kept.author, kept.reason], [who, 'handed-off']);
    assert.deepEqual(await loadKeptMask(ws.store, kept), mask(width, height, at));
    const after = await ok<MasksResponse>(who, 'getMasks', { imageId });
    assert.equal(after.draft?.versionId, before.draft?.versionId, 'the image keeps its draft');
  }

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-team-test-'));
    const staticDir = path.join(dir, 'renderer');
    await mkdir(staticDir, { recursive: true });
    await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>RetinaStudio</title>');
    process.env.RETINA_DEFAULT_MODEL = path.join(dir, 'no-model-here');
    const dbPath = path.join(dir, 'retina.db');
    const store = openStore(dbPath);
    const report = await importImageFiles(
      store,
      [{ imagePath: driveTestImage('01') }, { imagePath: driveTestImage('02') }],
      {
        actor: 'setup',
      },
    );
    images = report.imported.map((i) => String(i.imageId));
    const fast = { N: 2 ** 10, r: 8, p: 1 };
    const roles = { ada: 'admin', rita: 'reviewer', anna: 'annotator', otto: 'annotator' } as const;
    for (const [name, password] of Object.entries(PASSWORDS)) {
      const passwordHash = await hashPassword(password, fast);
      createUser(store, { name, role: roles[name as Name], passwordHash }, 'setup');
    }
    store.close();
    ws = await createWorkstation({ dbPath, shell: 'browser', user: 'os-user' });
    const accounts = new Accounts(ws.store, {
      sessionHours: 12,
      now: () => new Date(now),
      throttle: new LoginThrottle({ now: clock }),
    });
    server = await startServer({
      handlers: ws.handlers,
      events: ws.events,
      eventAudience: ws.eventAudience,
      staticDir,
      accounts,
      // Every event looks its socket's session up again, so an ended session is seen at once.
      sessionRecheckMs: 0,
      onWindowGone: (clientId, user) => ws.windowGone(clientId, user),
      windowGoneGraceMs: 50,
    });
  });

  after(async () => {
    await server.close();
    await ws.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('without a session: the page opens (to log in), but RPC, reports and events are refused', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/, 'no token in a team server address');
    assert.equal((await raw(server.port, { path: '/' })).status, 200);
    const rpc = await rpcAs(null, 'getAppInfo', {});
    assert.equal(rpc.status, 401);
    assert.equal(rpc.result.ok ? '' : rpc.result.error.code, 'unauthenticated');
    assert.equal((await raw(server.port, { path: `/report?image=${images[0]}` })).status, 401);
    assert.equal((await raw(server.port, { path: '/auth/session' })).status, 401);
    const status = await wsStatus(`ws://127.0.0.1:${server.port}/events`);
    assert.equal(status, 401);
    // The single-user token means nothing here.
    const withToken = await raw(server.port, {
      method: 'POST',
      path: '/rpc/getAppInfo',
      headers: { 'content-type': FRAME_CONTENT_TYPE, 'x-retina-token': server.token },
      body: encodeFrame({}),
    });
    assert.equal(withToken.status, 401);
  });

  test('the desktop app, which has no login, refuses a database with accounts', async () => {
    await assert.rejects(
      createWorkstation({ dbPath: path.join(dir, 'retina.db'), shell: 'electron', user: 'os-user' }),
      /retina\.db has team accounts: open it through its team server/,
    );
  });

  test('a wrong password and an unknown user get the same answer', async () => {
    const wrong = await login('anna', 'not her password');
    const unknown = await login('nobody', 'not her password');
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(JSON.parse(wrong.body.toString()), JSON.parse(unknown.body.toString()));
    assert.equal(wrong.headers['set-cookie'], undefined);
  });

  test('logging in sets an HttpOnly, SameSite=Strict session cookie and says who and what role', async () => {
    for (const name of Object.keys(PASSWORDS) as Name[]) {
      const res = await login(name, PASSWORDS[name]);
      assert.equal(res.status, 200, res.body.toString());
      const cookie = String(res.headers['set-cookie']);
      assert.match(cookie, /^retina_session=[\w-]{40,}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200/);
      cookies.set(name, cookie.split(';')[0]);
    }
    const me = await raw(server.port, {
      path: '/auth/session',
      headers: { cookie: cookies.get('anna') ?? '' },
    });
    assert.deepEqual(JSON.parse(me.body.toString()), {
      name: 'anna',
      role: 'annotator',
      expiresAt: '2026-12-01T20:00:00.000Z',
    });
    const info = await ok<{ user: string; account: unknown }>('rita', 'getAppInfo', {});
    assert.deepEqual([info.user, info.account], ['rita', { name: 'rita', role: 'reviewer' }]);
  });

  test('a reviewer assigns images; an annotator sees only theirs and cannot approve', async () => {
    const [mine, other] = images;
    await ok('rita', 'assignImages', { imageIds: [mine], users: ['anna'] });
    await ok('rita', 'assignImages', { imageIds: [other], users: ['otto'] });
    assert.equal(await refused('rita', 'assignImages', { imageIds: [other], users: ['rita'] }), 'conflict');

    const listed = await ok<{ items: ImageSummary[]; total: number }>('anna', 'listImages', {
      offset: 0,
      limit: 50,
    });
    assert.deepEqual(
      listed.items.map((i) => i.id),
      [mine],
    );
    assert.deepEqual(listed.items[0].assignees, ['anna']);
    const all = await ok<{ total: number }>('rita', 'listImages', { offset: 0, limit: 50 });
    assert.equal(all.total, 2);

    assert.equal(await refused('anna', 'getMasks', { imageId: other }), 'not-found');
    assert.equal(await refused('anna', 'getImage', { imageId: other }), 'not-found');
    assert.equal(await refused('anna', 'getImageInfo', { imageId: '999' }), 'not-found');
    assert.equal(await refused('anna', 'listPatients', { offset: 0, limit: 10 }), 'forbidden');
    // The team's jobs name images and patients that are not hers, and are not hers to dismiss.
    assert.equal(await refused('anna', 'listJobs', {}), 'forbidden');
    assert.equal(await refused('anna', 'getQueue', {}), 'forbidden');
    assert.equal(await refused('anna', 'dismissJob', { jobId: 'j1' }), 'forbidden');
    const info = (await ws.store.db
      .prepare('SELECT width, height FROM images WHERE id = ?')
      .get(Number(mine))) as {
      width: number;
      height: number;
    };
    const save = {
      imageId: mine,
      width: info.width,
      height: info.height,
      mask: mask(info.width, info.height, 1000),
      parentVersionId: null,
    };
    assert.equal(await refused('anna', 'approveMask', save), 'forbidden');
    assert.equal(await refused('anna', 'saveDraft', { ...save, imageId: other }), 'not-found');
    assert.equal(
      await refused('anna', 'submitForReview', { imageId: mine }),
      'conflict',
      'nothing to submit yet',
    );
  });

  test("an annotator's window hears only of the images assigned to them, and nothing once the session ends", async () => {
    const [mine, other] = images;
    const anna = await listen('anna');
    const rita = await listen('rita');
    ws.events.emit('imagesChanged', { imageIds: [other] });
    ws.events.emit('imagesChanged', { imageIds: [mine, other] });
    const job = { jobId: 'j1', kind: 'predict', state: 'running', done: 1, total: 2, message: null } as const;
    ws.events.emit('jobProgress', { ...job, imageId: other } as EventOf<'jobProgress'>);
    ws.events.emit('jobProgress', { ...job, imageId: mine } as EventOf<'jobProgress'>);
    await anna.until(1);
    await rita.until(4);
    const seen = (c: typeof anna) =>
      c.events.map((e) =>
        e.event === 'imagesChanged'
          ? (e.payload as EventOf<'imagesChanged'>).imageIds.join(',')
          : `job:${(e.payload as EventOf<'jobProgress'>).imageId}`,
      );
    // No job reaches her window, not even of her own image: the team's jobs name other images and patients.
    assert.deepEqual(seen(anna), [mine]);
    assert.deepEqual(seen(rita), [other, `${mine},${other}`, `job:${other}`, `job:${mine}`]);

    // Logged out: the socket is closed at the next event, and hears nothing more.
    await raw(server.port, {
      method: 'POST',
      path: '/auth/logout',
      headers: { cookie: cookies.get('anna') ?? '' },
    });
    const closed = anna.closed;
    ws.events.emit('imagesChanged', { imageIds: [mine] });
    assert.equal(await closed, SESSION_ENDED_CLOSE);
    assert.equal(anna.events.length, 1);
    // Her window reconnects with the ended session and resets the refused upgrade: the server stays up.
    const dead = connect(server.port, '127.0.0.1');
    await new Promise((resolve) => dead.once('connect', resolve));
    dead.write(
      `GET /events HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${'A'.repeat(22)}==\r\nCookie: ${cookies.get('anna')}\r\n\r\n`,
    );
    dead.resetAndDestroy();
    assert.equal(
      await wsStatus(`ws://127.0.0.1:${server.port}/events`, { cookie: cookies.get('anna') ?? '' }),
      401,
    );
    anna.socket.close();
    rita.socket.close();
    // Logged in again for the tests that follow.
    const again = await login('anna', PASSWORDS.anna);
    cookies.set('anna', String(again.headers['set-cookie']).split(';')[0]);
  });

  test("a closed window's edit leases are given back, and only by that window's own account", async () => {
    const imageId = images[1];
    const window = 'window-ada-000001';
    const leased = await ok<{ granted: boolean }>('ada', 'acquireEditLease', { imageId, clientId: window });
    assert.equal(leased.granted, true);
    const leaseHolder = () => getLease(ws.store, Number(imageId))?.holder ?? null;
    // Another account naming ada's window on its socket, then going, gives nothing back.
    const rita = await listen('rita', window);
    rita.socket.close();
    await rita.closed;
    await new Promise((r) => setTimeout(r, 500)); // ten times the grace
    assert.equal(leaseHolder(), 'ada');
    // Ada's own window going does, and the other windows hear of the image.
    const ada = await listen('ada', window);
    const other = await listen('rita');
    ada.socket.close();
    await other.until(1);
    assert.equal(leaseHolder(), null);
    // Only its lease changed: a window's Measurements panel and History need not read the image again.
    assert.deepEqual(other.events[0], {
      event: 'imagesChanged',
      payload: { imageIds: [imageId], leaseOnly: true },
    });
    other.socket.close();
  });

  test('submit, send back with a comment, fix, re-approve: each step names its person', async () => {
    const imageId = images[0];
    const { width, height } = await ok<MasksResponse>('anna', 'getMasks', { imageId });
    const draft = await ok<SavedVersion>('anna', 'saveDraft', {
      imageId,
      width,
      height,
      mask: mask(width, height, 2000),
      parentVersionId: null,
    });
    const submitted = await ok<{ review: MasksResponse['review'] }>('anna', 'submitForReview', { imageId });
    assert.equal(submitted.review.handoff?.state, 'awaiting-review');
    // A save from a window still open on the submitted image is refused and kept, not saved over the reviewer's.
    await handedOffSave('anna', imageId, draft.versionId, 2500, /was submitted for review/);
    // Nor may her window adopt that kept draft: adopting is a save, under the same hand-off rule.
    const annaKept = await ok<{ drafts: { id: string; author: string }[] }>('anna', 'listKeptDrafts', {
      imageId,
    });
    const annaKeptId = annaKept.drafts.find((k) => k.author === 'anna')!.id;
    const adopt = await rpcAs('anna', 'adoptKeptDraft', {
      keptDraftId: annaKeptId,
      parentVersionId: draft.versionId,
    });
    assert.ok(!adopt.result.ok, "anna's adoption after her submit should be refused");
    assert.equal(adopt.result.error.code, 'conflict');
    assert.match(adopt.result.error.message, /was submitted for review.*still kept: draft #\d+/);
    assert.equal(
      (await ok<MasksResponse>('anna', 'getMasks', { imageId })).draft?.versionId,
      draft.versionId,
    );
    const queue = await ok<{ items: ImageSummary[] }>('rita', 'listImages', { offset: 0, limit: 50 });
    assert.equal(queue.items.find((i) => i.id === imageId)?.handoff?.state, 'awaiting-review');

    assert.equal(await refused('rita', 'sendBack', { imageId, comment: '   ' }), 'conflict');
    await ok('rita', 'sendBack', { imageId, comment: 'the inferior arcade is missing' });
    // Sent back, it is its annotator's again: the reviewer's save is kept aside.
    await handedOffSave('rita', imageId, draft.versionId, 2600, /was sent back to its annotators/);
    const ritaKept = await ok<{ drafts: { id: string; author: string }[] }>('rita', 'listKeptDrafts', {
      imageId,
    });
    const ritaAdopt = await rpcAs('rita', 'adoptKeptDraft', {
      keptDraftId: ritaKept.drafts.find((k) => k.author === 'rita')!.id,
      parentVersionId: draft.versionId,
    });
    assert.ok(!ritaAdopt.result.ok, "rita's adoption after she sent the image back should be refused");
    assert.match(ritaAdopt.result.error.message, /was sent back to its annotators/);
    const seen = await ok<MasksResponse>('anna', 'getMasks', { imageId });
    assert.deepEqual(
      [seen.review.handoff?.state, seen.review.handoff?.comment, seen.review.handoff?.by],
      ['needs-work', 'the inferior arcade is missing', 'rita'],
    );
    assert.equal(seen.draft?.author, 'anna');

    const fixed = await ok<SavedVersion>('anna', 'saveDraft', {
      imageId,
      width,
      height,
      mask: mask(width, height, 3000),
      parentVersionId: draft.versionId,
    });
    await ok('anna', 'submitForReview', { imageId });
    const approved = await ok<SavedVersion>('rita', 'approveMask', {
      imageId,
      width,
      height,
      mask: mask(width, height, 3000),
      parentVersionId: fixed.versionId,
    });
    assert.equal(approved.status, 'approved');
    assert.equal(approved.review.handoff, undefined, 'the approval settles the hand-off');
    const after = await ok<MasksResponse>('anna', 'getMasks', { imageId });
    assert.equal(after.approved?.author, 'rita');
    assert.equal(after.review.handoff, undefined);

    // Every change to the images and masks, oldest first (mask versions are audited under their own ids).
    const audit = listAudit(ws.store, { limit: 1000 })
      .reverse()
      .filter((a) => a.entity !== 'user' && a.actor !== 'setup');
    assert.deepEqual(
      audit.map((a) => `${a.actor} ${a.action}`),
      [
        'rita image.assign',
        'rita image.assign',
        'anna mask.draft',
        'anna review.submit',
        'anna mask.kept',
        'rita review.send-back',
        'rita mask.kept',
        'anna mask.draft',
        'anna review.submit',
        'rita mask.approved',
      ],
    );
    assert.ok(
      listAudit(ws.store, { entity: 'user' }).some((a) => a.actor === 'anna' && a.action === 'session.login'),
    );
  });

  test('two readers: each sees only their own draft; the reviewer sees both, their Dice, and approves one', async () => {
    const imageId = images[1];
    await ok('rita', 'assignImages', { imageIds: [imageId], users: ['anna', 'otto'] });
    const { width, height } = await ok<MasksResponse>('otto', 'getMasks', { imageId });
    const annaMask = mask(width, height, 5000);
    const ottoMask = mask(width, height, 5020); // 30 of 50 pixels in common: Dice 0.6
    await ok('anna', 'saveDraft', { imageId, width, height, mask: annaMask, parentVersionId: null });
    const ottos = await ok<SavedVersion>('otto', 'saveDraft', {
      imageId,
      width,
      height,
      mask: ottoMask,
      parentVersionId: null,
    });

    // Blind: anna is shown her own draft although otto saved after her, and otto his.
    const annaSees = await ok<MasksResponse>('anna', 'getMasks', { imageId });
    assert.equal(annaSees.draft?.author, 'anna');
    assert.ok(sameBytes(annaSees.draft?.data, annaMask), 'anna is shown her own pixels');
    assert.equal((await ok<MasksResponse>('otto', 'getMasks', { imageId })).draft?.author, 'otto');
    assert.equal(await refused('anna', 'getReaders', { imageId }), 'forbidden');

    const readers = await ok<ReadersPayload>('rita', 'getReaders', { imageId });
    assert.deepEqual(
      readers.readers.map((r) => [r.name, r.draft?.author]),
      [
        ['anna', 'anna'],
        ['otto', 'otto'],
      ],
    );
    assert.equal(readers.dice, 0.6);
    const agreement = await ok<AgreementPayload>('rita', 'getAgreement', {});
    assert.deepEqual(agreement.images, [
      { imageId, fileName: '02_test.tif', readers: ['anna', 'otto'], dice: 0.6 },
    ]);
    assert.deepEqual(agreement.annotators, [
      { name: 'anna', images: 1, meanDice: 0.6 },
      { name: 'otto', images: 1, meanDice: 0.6 },
    ]);

    // Blind for what is kept aside and measured too: otto's refused save (a stale parent) is kept as his draft,
    // which anna can neither list, open nor adopt; her measures are of her own mask.
    assert.ok(
      await refused('otto', 'saveDraft', { imageId, width, height, mask: ottoMask, parentVersionId: null }),
    );
    const ottosKept = await ok<{ drafts: { id: string; author: string }[] }>('otto', 'listKeptDrafts', {
      imageId,
    });
    assert.deepEqual(
      ottosKept.drafts.map((d) => d.author),
      ['otto'],
    );
    const keptId = ottosKept.drafts[0].id;
    assert.deepEqual((await ok<{ drafts: unknown[] }>('anna', 'listKeptDrafts', { imageId })).drafts, []);
    assert.equal(await refused('anna', 'getKeptDraft', { keptDraftId: keptId }), 'not-found');
    assert.equal(
      await refused('anna', 'adoptKeptDraft', {
        keptDraftId: keptId,
        parentVersionId: annaSees.draft!.versionId,
      }),
      'not-found',
    );
    const annaMeasured = await ok<MeasurementsPayload | null>('anna', 'getMeasurements', { imageId });
    assert.equal(annaMeasured?.versionId, annaSees.draft?.versionId, "anna's measures are of her own draft");
    assert.equal((await ok<{ drafts: unknown[] }>('rita', 'listKeptDrafts', { imageId })).drafts.length, 1);

    // anna submits her reading: her window is held back, otto's is not (one reader's submit locked the others).
    await ok('anna', 'submitForReview', { imageId });
    const lease = (who: Name) =>
      ok<{ granted: boolean; heldBack?: string }>(who, 'acquireEditLease', {
        imageId,
        clientId: `window-of-${who}`,
      });
    assert.match((await lease('anna')).heldBack ?? '', /submitted for review/);
    const ottoLease = await lease('otto');
    assert.deepEqual([ottoLease.granted, ottoLease.heldBack], [true, undefined]);
    const ottoAgain = await ok<SavedVersion>('otto', 'saveDraft', {
      imageId,
      width,
      height,
      mask: ottoMask,
      parentVersionId: ottos.versionId,
    });
    assert.ok(ottoAgain.versionId, "otto's draft after anna's submit is saved, not kept aside");

    // The reviewer adjudicates: otto's draft, approved as it is.
    const approved = await ok<SavedVersion>('rita', 'approveMask', {
      imageId,
      width,
      height,
      mask: ottoMask,
      parentVersionId: ottoAgain.versionId,
    });
    const after = await ok<MasksResponse>('anna', 'getMasks', { imageId });
    assert.deepEqual([after.approved?.versionId, after.approved?.author], [approved.versionId, 'rita']);
    assert.ok(sameBytes(after.approved?.data, ottoMask), "the approval is otto's mask");
    assert.equal(after.approved?.parentVersionId, ottoAgain.versionId);

    // otto's window, open on his draft, autosaves one more stroke after the approval: refused, and kept (it used
    // to be refused as "approved" with nothing kept, so his pixels were lost).
    const lateStroke = mask(width, height, 5100);
    const late = await rpcAs('otto', 'saveDraft', {
      imageId,
      width,
      height,
      mask: lateStroke,
      parentVersionId: ottoAgain.versionId,
    });
    assert.equal(late.result.ok, false);
    assert.match(
      late.result.ok ? '' : late.result.error.message,
      /02_test\.tif was approved by rita at \d\d:\d\d \S+ after you opened it; your edit is kept as draft #\d+/,
    );
    const keptNow = await ok<{ drafts: { id: string; author: string }[] }>('otto', 'listKeptDrafts', {
      imageId,
    });
    assert.equal(keptNow.drafts.length, 2);
    const lateKept = await ok<{ data: Uint8Array }>('rita', 'getKeptDraft', {
      keptDraftId: keptNow.drafts[0].id,
    });
    assert.ok(sameBytes(lateKept.data, lateStroke), "the late stroke's pixels are kept");
    // Submitting it now says why not: it is approved (not "save your corrections first").
    const submit = await rpcAs('otto', 'submitForReview', { imageId });
    assert.match(
      submit.result.ok ? '' : submit.result.error.message,
      /is approved already: there is nothing to submit/,
    );
  });

  /** Anna's save after she was taken off the image: refused, kept as a draft of hers that the reviewer can read. */
  async function keptForAnna(
    fileName: string,
    save: {
      imageId: string;
      width: number;
      height: number;
      mask: Uint8Array;
      parentVersionId: string | null;
    },
  ): Promise<void> {
    const late = await rpcAs('anna', 'saveDraft', { ...save, clientId: 'window-of-anna' });
    assert.equal(late.result.ok, false);
    const message = late.result.ok ? '' : late.result.error.message;
    assert.match(
      message,
      new RegExp(
        `${fileName.replace('.', '\\.')} was assigned to someone else while you edited it.*kept as draft #\\d+`,
      ),
    );
    const kept = await ok<{ data: Uint8Array; author: string }>('rita', 'getKeptDraft', {
      keptDraftId: keptDraftOf(message),
    });
    assert.equal(kept.author, 'anna');
    assert.ok(sameBytes(kept.data, save.mask));
  }

  test("reassigned mid-edit: the former reader's next save is kept as a draft, and the new reader is not locked out", async () => {
    const [third, fourth] = (
      await importImageFiles(
        ws.store,
        [{ imagePath: driveTestImage('03') }, { imagePath: driveTestImage('04') }],
        {
          actor: 'setup',
        },
      )
    ).imported;
    const imageId = String(third.imageId);
    await ok('rita', 'assignImages', { imageIds: [imageId], users: ['anna'] });
    const lease = (who: Name) =>
      ok<{ granted: boolean; holder?: string }>(who, 'acquireEditLease', {
        imageId,
        clientId: `window-of-${who}`,
      });
    assert.equal((await lease('anna')).granted, true);
    const { width, height } = await ok<MasksResponse>('anna', 'getMasks', { imageId });
    const first = await ok<SavedVersion>('anna', 'saveDraft', {
      imageId,
      width,
      height,
      mask: mask(width, height, 7000),
      parentVersionId: null,
      clientId: 'window-of-anna',
    });

    const annasWindow = await listen('anna');
    await ok('rita', 'assignImages', { imageIds: [imageId], users: ['otto'] });
    // Her open window is told (it reads the image again, finds it no longer hers and closes, saying so); it used to
    // hear nothing, the image being no longer hers when the change was announced, until a save failed.
    await annasWindow.until(1);
    assert.deepEqual(annasWindow.events[0], { event: 'imagesChanged', payload: { imageIds: [imageId] } });
    annasWindow.socket.close();
    // otto takes the pen at once (anna's lease went with her assignment)...
    assert.equal((await lease('otto')).granted, true);
    // ... and anna's open window autosaves one more stroke: refused, kept (it used to answer "no image" and drop it).
    const stroke = mask(width, height, 7100);
    await keptForAnna('03_test.tif', {
      imageId,
      width,
      height,
      mask: stroke,
      parentVersionId: first.versionId,
    });
    // Still nothing else of the image for anna: she cannot read it, nor save where she never drew.
    assert.equal(await refused('anna', 'getMasks', { imageId }), 'not-found');
    assert.equal(
      await refused('anna', 'saveDraft', {
        imageId: String(fourth.imageId),
        width,
        height,
        mask: stroke,
        parentVersionId: null,
      }),
      'not-found',
    );
  });

  test('reassigned before her first autosave: the stroke is kept as a draft, not refused as no image', async () => {
    const [fifth] = (
      await importImageFiles(ws.store, [{ imagePath: driveTestImage('05') }], { actor: 'setup' })
    ).imported;
    const imageId = String(fifth.imageId);
    await ok('rita', 'assignImages', { imageIds: [imageId], users: ['anna'] });
    const { width, height } = await ok<MasksResponse>('anna', 'getMasks', { imageId });
    await ok('anna', 'acquireEditLease', { imageId, clientId: 'window-of-anna' });
    await ok('rita', 'assignImages', { imageIds: [imageId], users: ['otto'] });
    // Her window flushes the stroke as it goes back to the worklist: she never saved here, and it used to be
    // refused as "no image" (only an annotator who had saved a draft was let through to have it kept), so lost.
    await keptForAnna('05_test.tif', {
      imageId,
      width,
      height,
      mask: mask(width, height, 7200),
      parentVersionId: null,
    });
    // Nothing else of the image reaches her.
    assert.equal(await refused('anna', 'getMasks', { imageId }), 'not-found');
  });

  test('an expired session is refused and must log in again', async () => {
    now += 12 * 3_600_000 + 1000;
    const res = await rpcAs('rita', 'listImages', { offset: 0, limit: 5 });
    assert.equal(res.status, 401);
    assert.equal(res.result.ok ? '' : res.result.error.code, 'unauthenticated');
    const again = await login('rita', PASSWORDS.rita);
    assert.equal(again.status, 200);
    cookies.set('rita', String(again.headers['set-cookie']).split(';')[0]);
    await ok('rita', 'listImages', { offset: 0, limit: 5 });
  });

  test('logging out ends the session', async () => {
    const out = await raw(server.port, {
      method: 'POST',
      path: '/auth/logout',
      headers: { cookie: cookies.get('rita') ?? '' },
    });
    assert.match(String(out.headers['set-cookie']), /retina_session=; .*Max-Age=0/);
    assert.equal((await rpcAs('rita', 'listImages', { offset: 0, limit: 5 })).status, 401);
  });

  test('five failed logins, then 429 with Retry-After even for the right password, until the wait is over', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await login('otto', `guess ${i}`)).status, 401);
    const blocked = await login('otto', PASSWORDS.otto);
    assert.equal(blocked.status, 429);
    assert.equal(blocked.headers['retry-after'], '1');
    assert.match(JSON.parse(blocked.body.toString()).error as string, /too many failed logins/);
    now += 1000;
    assert.equal((await login('otto', 'still guessing')).status, 401);
    assert.equal((await login('otto', PASSWORDS.otto)).headers['retry-after'], '2', 'the wait doubles');
    now += 2000;
    assert.equal((await login('otto', PASSWORDS.otto)).status, 200);
  });
});
