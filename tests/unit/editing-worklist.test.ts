// Worklist helpers: grouping images by patient and study, and the bookkeeping that frees thumbnail object URLs.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageSummary, PatientSummary, StudySummary } from '../../shared/contract.js';
import { groupImages, hasPatients } from '../../renderer/src/worklist/grouping.js';
import { ThumbnailUrls } from '../../renderer/src/worklist/thumbnailUrls.js';

const counts = { new: 0, predicted: 0, draft: 0, approved: 0 };
function image(id: string, patientId: string, studyId: string): ImageSummary {
  return {
    id,
    patientId,
    studyId,
    fileName: `${id}.png`,
    width: 10,
    height: 10,
    laterality: null,
    status: 'new',
    updatedAt: '2026-01-01T00:00:00Z',
    reopened: false,
    approvedBy: null,
    approvedAt: null,
    patientPseudonym: null,
    visitDate: null,
    camera: null,
    fieldAngleDeg: null,
  };
}
const patient = (id: string, pseudonym: string): PatientSummary => ({
  id,
  pseudonym,
  studyCount: 1,
  imageCount: 1,
  statusCounts: counts,
  updatedAt: null,
});
const study = (id: string, patientId: string, date: string | null): StudySummary => ({
  id,
  patientId,
  date,
  device: 'CR-2',
  description: null,
  imageCount: 1,
  statusCounts: counts,
});

describe('worklist grouping', () => {
  test('groups by patient, then study, in order of first mention; images without a patient come last', () => {
    const items = [
      image('1', '', ''),
      image('2', 'p1', 's1'),
      image('3', 'p2', 's3'),
      image('4', 'p1', 's1'),
      image('5', 'p1', 's2'),
      image('6', '', ''),
    ];
    const patients = new Map([
      ['p1', patient('p1', 'ANON-001')],
      ['p2', patient('p2', 'ANON-002')],
    ]);
    const studies = new Map([
      ['s1', study('s1', 'p1', '2024-03-01')],
      ['s2', study('s2', 'p1', null)],
    ]);
    const g = groupImages(items, patients, studies);
    assert.deepEqual(
      g.rows.map((r) => r.id),
      ['2', '4', '5', '3', '1', '6'],
    );
    assert.deepEqual([...g.headers.keys()], [0, 2, 3, 4]);
    assert.deepEqual(g.headers.get(0), {
      key: 'p1/s1',
      patient: 'ANON-001',
      study: '2024-03-01 · CR-2',
      count: 2,
    });
    assert.equal(g.headers.get(2)?.study, 'undated · CR-2');
    assert.equal(g.headers.get(3)?.study, 'Study s3', 'an unknown study is named by id');
    assert.equal(g.headers.get(3)?.patient, 'ANON-002');
    assert.deepEqual(g.headers.get(4), { key: '/', patient: 'No patient', study: '', count: 2 });
    assert.equal(hasPatients(items), true);
    assert.equal(hasPatients([image('1', '', '')]), false);
  });
});

describe('thumbnail object URLs', () => {
  test('an outdated URL is revoked once no row shows it; capacity evicts the least recently used', () => {
    const revoked: string[] = [];
    const urls = new ThumbnailUrls((u) => revoked.push(u), 2);
    urls.put('a', 'v1', 'blob:a1');
    const release = urls.acquire('blob:a1');
    urls.put('a', 'v2', 'blob:a2');
    assert.equal(urls.get('a', 'v1'), null);
    assert.equal(urls.get('a', 'v2'), 'blob:a2');
    assert.deepEqual(revoked, [], 'still on screen');
    release();
    release(); // a second release is harmless
    assert.deepEqual(revoked, ['blob:a1']);

    urls.put('b', 'v1', 'blob:b1');
    urls.get('a', 'v2'); // a is now the most recently used
    urls.put('c', 'v1', 'blob:c1');
    assert.deepEqual(revoked, ['blob:a1', 'blob:b1']);
    assert.equal(urls.get('b', 'v1'), null);
    assert.equal(urls.live, 2);
  });

  test('an evicted URL shown by two rows is revoked after both let go', () => {
    const revoked: string[] = [];
    const urls = new ThumbnailUrls((u) => revoked.push(u), 1);
    urls.put('a', 'v', 'blob:a');
    const r1 = urls.acquire('blob:a');
    const r2 = urls.acquire('blob:a');
    urls.put('b', 'v', 'blob:b');
    r1();
    assert.deepEqual(revoked, []);
    r2();
    assert.deepEqual(revoked, ['blob:a']);
  });
});
