// The one-editor-per-image rules as pure functions: who gets a lease, which saves are refused and why, the messages
// and the viewer's reading of a lease answer. Times are plain numbers: nothing here reads the clock.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  beingEditedText,
  clockTime,
  differingPixels,
  heartbeatMs,
  keptDraftOf,
  LEASE_DURATION_MS,
  leaseDecision,
  leaseLive,
  refusalMessage,
  saveRefusal,
  zonedClockTime,
  type LeaseRecord,
} from '../../shared/edit-lease.js';
import { leaseView } from '../../renderer/src/viewer/leaseStatus.js';
import type { EditLeaseState } from '../../shared/contract.js';
import { leaseDurationFromEnv } from '../../main/handlers/edit-leases.js';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const lease = (clientId: string, expiresAt: number): LeaseRecord => ({
  holder: 'ann',
  clientId,
  acquiredAt: iso(T0),
  expiresAt: iso(expiresAt),
});

describe('edit leases', () => {
  test('a lease is live until its expiry, not at it', () => {
    const l = lease('a', T0 + 1000);
    assert.equal(leaseLive(l, T0 + 999), true);
    assert.equal(leaseLive(l, T0 + 1000), false);
  });

  test('free: acquired; own: renewed even when expired; another live: busy; another expired: only taken over when asked', () => {
    assert.equal(leaseDecision(null, 'a', T0, false), 'acquire');
    assert.equal(leaseDecision(lease('a', T0 - 5), 'a', T0, false), 'renew');
    assert.equal(leaseDecision(lease('b', T0 + 5), 'a', T0, true), 'busy');
    assert.equal(leaseDecision(lease('b', T0 - 5), 'a', T0, false), 'expired');
    assert.equal(leaseDecision(lease('b', T0 - 5), 'a', T0, true), 'take-over');
  });

  test('the heartbeat beats three times per lease duration, so two missed beats still hold it', () => {
    assert.equal(heartbeatMs(LEASE_DURATION_MS), 10_000);
    assert.ok(2 * heartbeatMs(LEASE_DURATION_MS) < LEASE_DURATION_MS);
    assert.equal(heartbeatMs(30), 50, 'never a busy loop');
  });
});

describe('stale and foreign saves', () => {
  const current = { id: 7, author: 'bob', createdAt: iso(T0) };

  test('a save naming the current version, or the first save of an image, goes through', () => {
    assert.equal(saveRefusal({ lease: null, clientId: 'a', nowMs: T0, current, parentId: 7 }), null);
    assert.equal(saveRefusal({ lease: null, clientId: null, nowMs: T0, current: null, parentId: 3 }), null);
    assert.equal(
      saveRefusal({ lease: lease('a', T0 + 10), clientId: 'a', nowMs: T0, current, parentId: 7 }),
      null,
    );
    // Another's expired lease does not block (the save is still checked for staleness).
    assert.equal(
      saveRefusal({ lease: lease('b', T0 - 1), clientId: 'a', nowMs: T0, current, parentId: 7 }),
      null,
    );
  });

  test('a save built on an older version is stale, naming who saved the current one and when', () => {
    assert.deepEqual(saveRefusal({ lease: null, clientId: 'a', nowMs: T0, current, parentId: 5 }), {
      kind: 'stale',
      by: 'bob',
      at: iso(T0),
    });
    assert.equal(
      saveRefusal({ lease: null, clientId: 'a', nowMs: T0, current, parentId: null })?.kind,
      'stale',
    );
  });

  test("another window's live lease refuses the save first, also for a caller naming no window", () => {
    const held = lease('b', T0 + 10);
    for (const clientId of ['a', null]) {
      assert.deepEqual(saveRefusal({ lease: held, clientId, nowMs: T0, current, parentId: 7 }), {
        kind: 'lease',
        holder: 'ann',
        since: iso(T0),
      });
    }
  });

  test('an image handed on refuses the save before any lease or version check', () => {
    const why = 'submitted for review; it opens for editing again if a reviewer sends it back.';
    const held = lease('b', T0 + 10);
    assert.deepEqual(
      saveRefusal({ lease: held, clientId: 'a', nowMs: T0, current, parentId: 5, handedOff: why }),
      { kind: 'handed-off', why },
    );
    assert.equal(
      saveRefusal({ lease: null, clientId: 'a', nowMs: T0, current, parentId: 7, handedOff: null }),
      null,
    );
    const message = refusalMessage({ kind: 'handed-off', why }, '01_test.tif', 4);
    assert.equal(
      message,
      '01_test.tif was submitted for review; it opens for editing again if a reviewer sends it back. ' +
        'Meanwhile your edit is kept as draft #4.',
    );
    assert.equal(keptDraftOf(message), '4');
  });

  test("main's refusals name the zone of their time: a team server's clock is not the browser's", () => {
    // Each in a process of its own, as a server run in that zone writes them.
    const written = (tz: string): string =>
      execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(new URL('../../shared/edit-lease.ts', import.meta.url).href)});
           console.log(m.refusalMessage({ kind: 'stale', by: 'bob', at: '${iso(T0)}' }, 'a.png', 3));`,
        ],
        { env: { ...process.env, TZ: tz }, encoding: 'utf8' },
      ).trim();
    assert.equal(
      written('UTC'),
      'a.png was saved by bob at 09:00 UTC after you opened it; your edit is kept as draft #3',
    );
    assert.equal(
      written('Asia/Kolkata'),
      'a.png was saved by bob at 14:30 GMT+5:30 after you opened it; your edit is kept as draft #3',
    );
    assert.match(written('America/Los_Angeles'), / at 01:00 PST after /);
  });

  test('messages name the kept draft, and the viewer reads its number back', () => {
    const at = zonedClockTime(iso(T0));
    assert.match(at, /^\d\d:\d\d \S+$/);
    const stale = refusalMessage({ kind: 'stale', by: 'bob', at: iso(T0) }, '01_test.tif', 12);
    assert.equal(
      stale,
      `01_test.tif was saved by bob at ${at} after you opened it; your edit is kept as draft #12`,
    );
    const leased = refusalMessage({ kind: 'lease', holder: 'ann', since: iso(T0) }, '01_test.tif', 3);
    assert.equal(leased, `01_test.tif is being edited by ann since ${at}; your edit is kept as draft #3`);
    assert.equal(keptDraftOf(stale), '12');
    assert.equal(keptDraftOf(leased), '3');
    assert.equal(keptDraftOf('01_test.tif is approved: reopen it for editing'), null);
    assert.equal(clockTime('not a time'), '--:--');
  });

  test('differing pixels count disagreements on vessel or not, whatever the non-zero value', () => {
    assert.equal(differingPixels(Uint8Array.from([0, 1, 1, 0]), Uint8Array.from([0, 255, 0, 1])), 2);
    assert.throws(() => differingPixels(new Uint8Array(3), new Uint8Array(4)), /differ in size/);
  });
});

describe("the viewer's reading of a lease answer", () => {
  const state = (granted: boolean, l: EditLeaseState['lease']): EditLeaseState => ({
    imageId: '1',
    granted,
    lease: l,
    heartbeatMs: 10_000,
  });
  const other = { holder: 'ann', since: iso(T0), expiresAt: iso(T0 + 30_000), mine: false };

  test('before any answer and with the lease granted, it edits', () => {
    assert.equal(leaseView(null).readOnly, false);
    const mine = leaseView(state(true, { ...other, mine: true, live: true }));
    assert.deepEqual([mine.mode, mine.readOnly, mine.text], ['editing', false, null]);
  });

  test("another's live lease: read-only with the holder's name and time, no take-over", () => {
    const v = leaseView(state(false, { ...other, live: true }));
    assert.equal(v.mode, 'read-only');
    assert.equal(v.readOnly, true);
    assert.equal(v.canTakeOver, false);
    assert.match(v.text!, new RegExp(`being edited by ann since ${clockTime(iso(T0))}`));
  });

  test("another's expired lease: still read-only, and take-over is offered", () => {
    const v = leaseView(state(false, { ...other, live: false }));
    assert.deepEqual([v.mode, v.readOnly, v.canTakeOver], ['expired', true, true]);
    assert.match(v.text!, /expired at \d\d:\d\d/);
    assert.equal(beingEditedText('ann', iso(T0)), `being edited by ann since ${clockTime(iso(T0))}`);
  });
});

describe('the lease duration setting', () => {
  test('RETINA_LEASE_SECONDS sets it; absent, the default; nonsense, a one-line error', () => {
    assert.equal(leaseDurationFromEnv({}), LEASE_DURATION_MS);
    assert.equal(leaseDurationFromEnv({ RETINA_LEASE_SECONDS: '90' }), 90_000);
    for (const bad of ['0', '-3', 'soon', '1e9']) {
      assert.throws(
        () => leaseDurationFromEnv({ RETINA_LEASE_SECONDS: bad }),
        new RegExp(
          `^Error: RETINA_LEASE_SECONDS=${bad}: give the edit lease's duration in seconds, 1 to 86400$`,
        ),
      );
    }
  });
});
