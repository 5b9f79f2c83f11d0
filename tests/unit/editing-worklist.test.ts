// Worklist helpers: grouping images by patient and visit, and the bookkeeping that frees thumbnail object URLs.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageSummary } from '../../shared/contract.js';
import { groupImages, hasPatients } from '../../renderer/src/worklist/grouping.js';
import { ThumbnailUrls } from '../../renderer/src/worklist/thumbnailUrls.js';

function image(
  id: string,
  patient: string,
  visitDate: string | null = null,
  camera: string | null = null,
): ImageSummary {
  return {
    id,
    patientId: patient ? `id-${patient}` : '',
    studyId: patient ? `s-${patient}-${visitDate}` : '',
    fileName: `${id}.png`,
    width: 10,
    height: 10,
    laterality: null,
    status: 'new',
    updatedAt: '2026-01-01T00:00:00Z',
    reopened: false,
    approvedBy: null,
    approvedAt: null,
    patientPseudonym: patient || null,
    visitDate,
    camera,
    fieldAngleDeg: null,
    quality: null,
  };
}

describe('worklist grouping', () => {
  test('groups by patient, then visit date, in order of first mention; images without a patient come last', () => {
    const items = [
      image('1', ''),
      image('2', 'ANON-001', '2024-03-01', 'CR-2'),
      image('3', 'ANON-002'),
      image('4', 'ANON-001', '2024-03-01', 'Topcon'),
      image('5', 'ANON-001', null, 'CR-2'),
      image('6', ''),
      image('7', 'ANON-001', '2024-03-01', 'CR-2'),
    ];
    const g = groupImages(items);
    assert.deepEqual(
      g.rows.map((r) => r.id),
      ['2', '4', '7', '5', '3', '1', '6'],
    );
    assert.deepEqual([...g.headers.keys()], [0, 3, 4, 5]);
    assert.deepEqual(g.headers.get(0), {
      key: 'id-ANON-001/2024-03-01',
      patient: 'ANON-001',
      visit: '2024-03-01 · CR-2 · Topcon',
      count: 3,
    });
    assert.equal(g.headers.get(3)?.visit, 'undated · CR-2');
    assert.deepEqual(g.headers.get(4), {
      key: 'id-ANON-002/',
      patient: 'ANON-002',
      visit: 'undated',
      count: 1,
    });
    assert.deepEqual(g.headers.get(5), { key: '', patient: 'No patient', visit: '', count: 2 });
    assert.equal(hasPatients(items), true);
    assert.equal(hasPatients([image('1', '')]), false);
  });

  test("a list that stops inside a visit (more rows not loaded) marks that visit's count as partial, only it", () => {
    // As the server sorts them: the page ends in the middle of ANON-002's visit.
    const page = [image('1', 'ANON-001', '2024-03-01'), image('2', 'ANON-002', '2024-04-01')];
    const partial = groupImages(page, false);
    assert.deepEqual(
      [...partial.headers.values()].map((h) => [h.patient, h.count, h.more ?? false]),
      [
        ['ANON-001', 1, false],
        ['ANON-002', 1, true],
      ],
    );
    assert.ok(
      [...groupImages(page).headers.values()].every((h) => !h.more),
      'a complete list is complete',
    );
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
