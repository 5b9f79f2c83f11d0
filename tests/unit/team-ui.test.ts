// Team mode's words and login answers in the renderer, without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handoffBanner, worklistTeamNote } from '../../renderer/src/team/handoffWords.js';
import { logIn, loginFailure, probeSession, type AuthFetch } from '../../renderer/src/team/authApi.js';
import { formatWhen } from '../../renderer/src/review/reviewLabel.js';
import type { Handoff } from '../../shared/contract.js';

const at = '2026-12-02T10:30:00.000Z';

test('the banner quotes the reviewer on an image sent back, and says who submitted one awaiting review', () => {
  assert.deepEqual(
    handoffBanner({ state: 'needs-work', comment: 'Close the gap at 3 o’clock.', by: 'rita', at }),
    {
      tone: 'needs-work',
      title: `Sent back by rita, ${formatWhen(at)}:`,
      comment: 'Close the gap at 3 o’clock.',
    },
  );
  assert.deepEqual(handoffBanner({ state: 'awaiting-review', comment: null, by: 'anna', at }), {
    tone: 'awaiting-review',
    title: `Submitted for review by anna, ${formatWhen(at)}`,
    comment: null,
  });
});

test('the worklist note names the assignees and the hand-off, and is absent in single-user mode', () => {
  assert.equal(worklistTeamNote({}), null);
  assert.equal(worklistTeamNote({ assignees: [] }), null);
  assert.equal(worklistTeamNote({ assignees: ['anna', 'otto'] }), 'anna, otto');
  assert.equal(
    worklistTeamNote({ assignees: ['anna'], handoff: { state: 'needs-work', comment: 'x', by: 'rita', at } }),
    'anna · needs work',
  );
  assert.equal(
    worklistTeamNote({ handoff: { state: 'awaiting-review', comment: null, by: 'anna', at } }),
    'awaiting review',
  );
});

test('the reviewer of an image read by several is told whose reading is still sent back, not only that it waits', () => {
  const h = { state: 'awaiting-review', comment: null, by: 'anna', at } as const;
  assert.deepEqual(handoffBanner({ ...h, sentBackTo: ['otto'] }), {
    tone: 'awaiting-review',
    title: `Submitted for review by anna, ${formatWhen(at)}`,
    comment: null,
    stillSentBack: "Otto's reading is sent back and not resubmitted yet.",
  });
  assert.equal(
    worklistTeamNote({ assignees: ['anna', 'otto'], handoff: { ...h, sentBackTo: ['otto'] } }),
    "anna, otto · awaiting review · otto's reading is sent back and not resubmitted yet",
  );
  assert.equal(
    worklistTeamNote({
      assignees: ['anna', 'carl', 'otto'],
      handoff: { ...h, sentBackTo: ['carl', 'otto'] },
    }),
    "anna, carl, otto · awaiting review · carl's and otto's readings are sent back and not resubmitted yet",
  );
  // Sent back to all of them, the image needs work: nothing more to say.
  const all: Handoff = { state: 'needs-work', comment: 'x', by: 'rita', at, sentBackTo: ['anna', 'otto'] };
  assert.equal(worklistTeamNote({ assignees: ['anna', 'otto'], handoff: all }), 'anna, otto · needs work');
  assert.equal(handoffBanner(all).stillSentBack, undefined);
});

test('a reader sent back again before resubmitting is shown the earlier comment too', () => {
  const before = '2026-12-01T09:00:00.000Z';
  assert.deepEqual(
    handoffBanner({
      state: 'needs-work',
      comment: 'the disc margin, once more',
      by: 'rita',
      at,
      earlier: [{ comment: 'the arcades stop short', by: 'rita', at: before }],
    }),
    {
      tone: 'needs-work',
      title: `Sent back by rita, ${formatWhen(at)}:`,
      comment: 'the disc margin, once more',
      earlier: [
        { title: `Also sent back by rita, ${formatWhen(before)}:`, comment: 'the arcades stop short' },
      ],
    },
  );
});

test('a failed login reads as wrong credentials, or as a wait after too many failures', () => {
  assert.equal(
    loginFailure(401, { error: 'wrong user name or password' }, null),
    'Wrong user name or password.',
  );
  assert.equal(loginFailure(429, { error: 'too many' }, '8'), 'Too many failed logins. Try again in 8 s.');
  assert.equal(loginFailure(429, null, null), 'Too many failed logins. Try again later.');
  assert.equal(loginFailure(400, { error: 'malformed login request' }, null), 'malformed login request');
  assert.equal(loginFailure(500, null, null), 'The server refused the login (HTTP 500).');
});

/** A fetch answering one canned response, recording what was asked. */
function canned(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: { url: string; body?: string }[] = [];
  const fetch: AuthFetch = async (url, init) => {
    calls.push({ url, body: init?.body });
    const all: Record<string, string> = { ...headers };
    return {
      status,
      headers: { get: (n: string) => all[n.toLowerCase()] ?? null },
      json: async () => body,
    };
  };
  return { fetch, calls };
}

test('the probe tells a team server (JSON) from a single-user one (plain text)', async () => {
  const json = { 'content-type': 'application/json; charset=utf-8' };
  const session = { name: 'anna', role: 'annotator', expiresAt: at };
  assert.deepEqual(await probeSession(canned(200, session, json).fetch, 'http://h:1'), {
    team: true,
    session,
  });
  assert.deepEqual(await probeSession(canned(401, { error: 'x' }, json).fetch, 'http://h:1'), {
    team: true,
    session: null,
  });
  assert.deepEqual(
    await probeSession(canned(401, null, { 'content-type': 'text/plain' }).fetch, 'http://h:1'),
    {
      team: false,
    },
  );
});

test('logIn posts the name and password and returns the session or the reason', async () => {
  const json = { 'content-type': 'application/json' };
  const ok = canned(200, { name: 'rita', role: 'reviewer', expiresAt: at }, json);
  const r = await logIn(ok.fetch, 'http://h:1', 'rita', 'pw pw pw pw');
  assert.deepEqual(r, { ok: true, session: { name: 'rita', role: 'reviewer', expiresAt: at } });
  assert.deepEqual(ok.calls, [
    { url: 'http://h:1/auth/login', body: '{"user":"rita","password":"pw pw pw pw"}' },
  ]);
  const slow = canned(429, { error: 'too many failed logins' }, { ...json, 'retry-after': '4' });
  assert.deepEqual(await logIn(slow.fetch, 'http://h:1', 'rita', 'x'), {
    ok: false,
    reason: 'Too many failed logins. Try again in 4 s.',
  });
});
