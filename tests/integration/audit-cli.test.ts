// `retina db audit` and `retina db export --patient` as a reviewer or a data-protection officer runs them on a
// study of real photographs (the shipped CC0 sample, tinted into two distinct images): who did what to one image,
// one patient or by one person, in the order it happened; a patient's own images exported; an erased image's
// trail still there, saying who erased it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tintedPhotos } from '../support/sample-photos.js';
import { openStore, saveMaskVersion, setClinical } from '../../main/store/index.js';
import { retinaCli as retina } from '../support/retina-cli.js';

const W = 128;

let dir: string;
let db: string;
let mine: number;
let other: number;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'retina-audit-cli-'));
  db = join(dir, 'clinic.db');
  await tintedPhotos(dir, ['mine', 'other'], W);
  const imported = retina('db', 'import', join(dir, 'mine.png'), join(dir, 'other.png'), '--database', db);
  assert.equal(imported.code, 0, imported.stderr);
  const store = openStore(db);
  [mine, other] = store.db.prepare('SELECT id FROM images ORDER BY file_name').pluck().all() as number[];
  setClinical(store, [mine], { patientId: 'P-5', patientName: 'Ana Lía', visitDate: '2026-05-02' }, 'clerk');
  setClinical(store, [other], { patientId: 'P-6' }, 'clerk');
  const mask = {
    width: W,
    height: W,
    data: Uint8Array.from({ length: W * W }, (_, i) => (i % W < 3 ? 1 : 0)),
  };
  await saveMaskVersion(store, { imageId: mine, kind: 'approved', author: 'rev', mask });
  await saveMaskVersion(store, { imageId: other, kind: 'approved', author: 'rev', mask });
  store.close();
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** Each printed entry as [actor, action, what]. */
const trail = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => l.split('  ').slice(1, 4));

test("one image's trail, oldest first: imported, given a patient, approved", () => {
  const r = retina('db', 'audit', '--images', String(mine), '--database', db);
  assert.equal(r.code, 0, r.stderr);
  const t = trail(r.stdout);
  assert.deepEqual(
    t.map(([actor, action]) => [actor, action]),
    [
      [t[0][0], 'image.import'],
      ['clerk', 'image.clinical'],
      ['rev', 'mask.approved'],
    ],
  );
  assert.match(t[2][2], /^mask version \d+$/);
});

test("a patient's trail, by action family, by person, since a date; nothing matching is said", () => {
  const patient = retina('db', 'audit', '--patient', 'P-5', '--action', 'patient', '--database', db);
  assert.equal(patient.code, 0, patient.stderr);
  assert.deepEqual(
    trail(patient.stdout).map(([, action]) => action),
    ['patient.create', 'patient.update'],
  );
  const byRev = retina('db', 'audit', '--by', 'rev', '--json', '--database', db);
  const entries = JSON.parse(byRev.stdout) as { actor: string; action: string }[];
  assert.equal(entries.length, 2);
  assert.ok(entries.every((e) => e.actor === 'rev' && e.action === 'mask.approved'));
  const future = retina('db', 'audit', '--since', '2999-01-01', '--database', db);
  assert.equal(future.stdout.trim(), 'no audit entries match');
});

test('--since a time takes the entries of that very second; --since a date, that day from its start in UTC', () => {
  const all = JSON.parse(retina('db', 'audit', '--json', '--database', db).stdout) as {
    id: number;
    at: string;
  }[];
  const newest = all.at(-1)!;
  assert.match(newest.at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  const second = `${newest.at.slice(0, 19)}Z`; // 09:58:28Z for an entry at 09:58:28.312Z
  // The same instant in another zone: an hour east of UTC.
  const east = new Date(Date.parse(second) + 3_600_000).toISOString().slice(0, 19) + '+01:00';
  for (const since of [second, newest.at.slice(0, 19), east, newest.at.slice(0, 10)]) {
    const r = retina('db', 'audit', '--since', since, '--json', '--database', db);
    assert.equal(r.code, 0, r.stderr);
    const ids = (JSON.parse(r.stdout) as { id: number }[]).map((e) => e.id);
    assert.ok(ids.includes(newest.id), `--since ${since} takes the entry at ${newest.at}`);
  }
  const later = new Date(Date.parse(second) + 1000).toISOString().replace('.000', '');
  const r = retina('db', 'audit', '--since', later, '--database', db);
  assert.equal(r.stdout.trim(), 'no audit entries match', `--since ${later}`);
});

test("export --patient: that patient's images only", () => {
  const out = join(dir, 'for-P-5');
  const r = retina('db', 'export', '--patient', 'P-5', '--format', 'masks', '--out', out, '--database', db);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(out), ['mine.png']);
  const none = retina(
    'db',
    'export',
    '--patient',
    'P-5',
    '--visit-date',
    '2020-01-01',
    '--out',
    out,
    '--database',
    db,
  );
  assert.equal(none.code, 1);
  assert.match(none.stderr, /patient P-5 has no images of a visit on 2020-01-01/);
  // A date in another form is a usage mistake, said as one, not a visit the patient never had.
  for (const date of ['02/05/2026', '2026-02-30']) {
    const bad = retina(
      'db',
      'export',
      '--patient',
      'P-5',
      '--visit-date',
      date,
      '--out',
      out,
      '--database',
      db,
    );
    assert.equal(bad.code, 2, `${date}: ${bad.stderr}`);
    assert.match(bad.stderr, /--visit-date takes a calendar date as YYYY-MM-DD \(2026-01-09\)/);
  }
});

test("a patient's trail keeps a record merged into them and an image of theirs erased", () => {
  const store = openStore(db);
  setClinical(store, [other], { patientId: 'P-5' }, 'clerk'); // P-6 emptied: merged into P-5
  store.close();
  assert.equal(
    retina('db', 'erase', '--images', String(other), '--yes', '--actor', 'dpo', '--database', db).code,
    0,
  );
  const r = retina('db', 'audit', '--patient', 'P-5', '--database', db);
  assert.equal(r.code, 0, r.stderr);
  const actions = trail(r.stdout).map(([actor, action, what]) => `${actor} ${action} ${what}`);
  // P-6's own record, created then merged away, is part of P-5's trail.
  assert.ok(
    actions.some((a) => a.startsWith('clerk patient.merge patient ')),
    actions.join('\n'),
  );
  assert.equal(actions.filter((a) => a.startsWith('clerk patient.create patient ')).length, 2);
  assert.ok(actions.includes(`dpo image.erase image ${other}`), actions.join('\n'));
  // The erased image's approval is still in the trail: who approved it, when.
  assert.ok(actions.some((a) => a.startsWith('rev mask.approved mask version')));
});

test("an erased image's trail says who erased it, and nothing of what it was", () => {
  assert.equal(
    retina('db', 'erase', '--images', String(mine), '--yes', '--actor', 'dpo', '--database', db).code,
    0,
  );
  const r = retina('db', 'audit', '--images', String(mine), '--database', db);
  assert.equal(r.code, 0, r.stderr);
  const last = trail(r.stdout).at(-1)!;
  assert.deepEqual(last, ['dpo', 'image.erase', `image ${mine}`]);
  assert.doesNotMatch(r.stdout, /mine\.png|Ana Lía|P-5/);
});

test('bad audit options are usage errors', () => {
  assert.equal(retina('db', 'audit', '--since', 'yesterday', '--database', db).code, 2);
  // Days no calendar has, and times no clock shows, are named rather than read as some other day.
  for (const since of [
    '2026-02-30',
    '2026-13-01',
    '2026-02-30T10:00:00Z',
    '2026-03-01T24:30Z',
    '2026-03-01T',
  ]) {
    const r = retina('db', 'audit', '--since', since, '--database', db);
    assert.equal(r.code, 2, `${since}: ${r.stdout}`);
    assert.match(r.stderr, /--since takes a date \(2026-03-01\) or a UTC time/);
  }
  assert.equal(retina('db', 'audit', '--limit', '0', '--database', db).code, 2);
  assert.equal(retina('db', 'check', '--by', 'rev', '--database', db).code, 2);
  assert.equal(retina('db', 'audit', '--images', '999', '--database', db).code, 1);
});
