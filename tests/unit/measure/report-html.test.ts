// The report builder: one self-contained document (no URL outside itself), every measure's row with its value and
// interval or the reason it is absent, a disc cut off by the field's edge said plainly, the twelve named vessels
// drawn, patient fields escaped, and the comparison's flagged change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ring } from './phantoms.js';
import { measureImage } from '../../../shared/measure/measures.js';
import { compareVisits } from '../../../shared/measure/compare-visits.js';
import { MEASURE_ROWS } from '../../../shared/measure/measure-table.js';
import { reportHtml, type ReportImage, type ReportInput } from '../../../shared/measure/report-html.js';
import { DISC_AT_FIELD_EDGE_NOTE } from '../../../shared/measure/disc-at-field-edge.js';

const PIXEL = 'data:image/png;base64,iVBORw0KGgo=';

function image(disc: boolean, veins = [7, 8, 9, 11, 12, 14]): ReportImage {
  const r = ring([5, 6, 7, 8, 9, 10], veins);
  const measures = measureImage({ ...r.ph, av: r.av, disc: disc ? r.disc : null, draws: 50 });
  return {
    fileName: 'ring.png',
    width: r.ph.width,
    height: r.ph.height,
    eye: 'OD',
    visitDate: '2026-01-02',
    camera: 'Cam <X>',
    fieldAngleDeg: 45,
    photo: PIXEL,
    vessels: PIXEL,
    mask: { label: 'approved mask v2', model: 'unet-1' },
    scaleSource: null,
    measures,
  };
}

const input = (images: ReportImage[], name: string | null = null): ReportInput => ({
  patient: { pseudonym: 'P-001', name, birthYear: null },
  generatedAt: '2026-12-02T10:00:00Z',
  appVersion: '0.1.0',
  images,
});

test('every measure has its row, with value and interval, and the twelve vessels are drawn and named', () => {
  const img = image(true);
  const html = reportHtml(input([img]));
  assert.match(html, /<title>Vessel measurements: P-001, OD, 2026-01-02<\/title>/);
  for (const row of MEASURE_ROWS) {
    const m = new RegExp(`<tr data-key="${row.key}"[^>]*>(.*?)</tr>`).exec(html);
    assert.ok(m, `row ${row.key}`);
    const v = img.measures[row.key];
    if (v.value !== null) assert.match(m[1], /class="num">[\d.]+ – [\d.]+</, `${row.key} has its interval`);
  }
  for (const name of ['A1', 'A6', 'V1', 'V6']) assert.match(html, new RegExp(`data-vessel="${name}"`));
  assert.equal((html.match(/data-zone="B"/g) ?? []).length, 2, 'zone B: two circles');
  assert.match(html, /data-plot="widths"/);
  assert.match(html, /data-plot="intervals"/);
  assert.match(html, /@page\{size:A4/);
  // Nothing to fetch: the only URLs are data URLs and the SVG namespace.
  const urls = [...html.matchAll(/(?:href|src)="([^"]*)"|url\(([^)]*)\)/g)].map((x) => x[1] ?? x[2]);
  assert.ok(urls.length > 0);
  for (const u of urls) assert.match(u, /^data:/, `external URL ${u}`);
  assert.doesNotMatch(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, ''), /https?:\/\//);
});

test('patient fields are escaped, and the name appears only when the store has it', () => {
  const img = { ...image(true), fileName: '<img src=x onerror=alert(1)>.png' };
  const html = reportHtml(input([img], 'Ann "O\'Hara" <script>'));
  assert.doesNotMatch(html, /<img src=x/);
  assert.doesNotMatch(html, /<script>(?!document)/);
  assert.match(html, /Ann &quot;O&#39;Hara&quot; &lt;script&gt;/);
  assert.match(html, /Cam &lt;X&gt;/);
  assert.doesNotMatch(reportHtml(input([image(true)])), /<dt>Name<\/dt>/);
});

test('the masks measured say who set the optic disc by hand, escaped; a model disc says nothing', () => {
  const byHand = { ...image(true), mask: { label: 'approved mask v2', model: 'unet-1', discBy: 'ann <b>' } };
  assert.match(
    reportHtml(input([byHand])),
    /approved mask v2, model unet-1, optic disc set by hand \(ann &lt;b&gt;\)/,
  );
  assert.doesNotMatch(reportHtml(input([image(true)])), /set by hand/);
});

test('a value that cannot be measured shows its reason, not a number', () => {
  const html = reportHtml(input([image(false)]));
  const crae = /<tr data-key="crae"[^>]*>(.*?)<\/tr>/.exec(html)![1];
  assert.match(crae, /class="absent" colspan="3">not measured: [^<]*optic disc/);
  assert.doesNotMatch(html, /data-zone=/, 'no zones without a disc');
});

test("a disc cut off by the field's edge is said plainly beside the values, which stay", () => {
  const img = image(true);
  assert.doesNotMatch(reportHtml(input([img])), /class="warning"/);
  const cut = {
    ...img,
    measures: { ...img.measures, discAtFieldEdge: true, notes: [DISC_AT_FIELD_EDGE_NOTE] },
  };
  const html = reportHtml(input([cut]));
  const note = /<p class="warning" role="note">([^<]*)<\/p>/.exec(html);
  assert.ok(note, 'the note is in the report');
  assert.equal(note[1], DISC_AT_FIELD_EDGE_NOTE.replace(/'/g, '&#39;'));
  assert.match(/<tr data-key="crae"[^>]*>(.*?)<\/tr>/.exec(html)![1], /class="num">[\d.]+</);
});

test('a comparison lists both visits and flags the change beyond the intervals', () => {
  const a = image(true);
  const b = image(true, [7, 8, 9, 11, 12, 9]);
  const comparison = compareVisits({ measures: a.measures }, { measures: b.measures });
  const html = reportHtml({
    ...input([b]),
    comparisons: [
      {
        earlier: { fileName: 'a.png', visitDate: '2025-01-01', unit: 'DD' },
        later: { fileName: 'b.png', visitDate: '2026-01-02', unit: 'DD' },
        comparison,
      },
    ],
  });
  const crve = /<tr data-key="crve" class="exceeds">(.*?)<\/tr>/.exec(html.split('class="changes"')[1]);
  assert.ok(crve, 'the CRVE change is flagged');
  assert.match(crve[1], /exceeds the interval/);
  assert.match(html, /Change since 2025-01-01/);
  // Each change row says its unit (the table mixed µm, DD and ratios with none written).
  assert.match(crve[1], /<td class="unit">DD<\/td>/);
  assert.match(
    /<tr data-key="avr"[^>]*>(.*?)<\/tr>/.exec(html.split('class="changes"')[1])![1],
    /<td class="unit"><\/td>/,
  );
  assert.match(
    html,
    /<p class="same-vessels">CRVE over the same six venules at the later visit: [\d.]+ DD\.<\/p>/,
  );
  // Which vessel narrowed: the widest venule (V1, 14 -> 9), with both widths and a negative change.
  const vessels = html.split('class="vessel-changes"')[1];
  assert.ok(vessels, 'no table of the same vessels');
  assert.equal((vessels.match(/<tr data-vessel=/g) ?? []).length, 12);
  assert.match(
    /<tr data-vessel="V1">(.*?)<\/tr>/.exec(vessels)![1],
    /V1 \(venule\)<\/th><td class="num">[\d.]+ DD<\/td><td class="num">[\d.]+ DD<\/td><td class="num">-[\d.]+ DD<\/td>/,
  );
  assert.doesNotMatch(html, /cut off by the field/);
});

test("a comparison names the visit whose disc the field's edge cuts off", () => {
  const a = image(true);
  const b = { ...image(true).measures, discAtFieldEdge: true };
  const html = reportHtml({
    ...input([a]),
    comparisons: [
      {
        earlier: { fileName: 'a.png', visitDate: '2025-01-01', unit: 'DD' },
        later: { fileName: 'b.png', visitDate: '2026-01-02', unit: 'DD' },
        comparison: compareVisits({ measures: a.measures }, { measures: b }),
      },
    ],
  });
  const section = html.split('class="comparison"')[1];
  assert.match(
    section,
    /<p class="warning" role="note">The optic disc is cut off by the field&#39;s edge at the visit of 2026-01-02 \(b\.png\)/,
  );
});

test("a visit of both eyes is titled with both, not the first image's", () => {
  const od = image(true);
  const os: ReportImage = { ...image(true), eye: 'OS' };
  assert.match(
    reportHtml(input([od, os])),
    /<title>Vessel measurements: P-001, OD and OS, 2026-01-02<\/title>/,
  );
});

test("a visit's images without a mask are listed, and the header and title speak of every image", () => {
  const measured = { ...image(true), fieldAngleDeg: 45, eye: 'OD' as const };
  const html = reportHtml({
    ...input([measured]),
    unmeasured: [
      { fileName: 'left.png', eye: 'OS', visitDate: '2026-01-02', camera: 'Cam <Y>', fieldAngleDeg: 30 },
    ],
  });
  assert.match(html, /<title>Vessel measurements: P-001, OD and OS, 2026-01-02<\/title>/);
  assert.match(html, /<dt>Eye<\/dt><dd>OD, OS<\/dd>/);
  assert.match(html, /<dt>Field angle<\/dt><dd>45°, 30°<\/dd>/);
  assert.match(html, /<dt>Camera<\/dt><dd>Cam &lt;X&gt;, Cam &lt;Y&gt;<\/dd>/);
  assert.match(html, /left\.png: <span class="absent">no mask yet, not measured<\/span>/);
  assert.match(html, /<p class="absent" data-unmeasured>Not measured, no mask yet: left\.png\.<\/p>/);
});

test('a mask no reviewer approved says so above its photograph; an approved one does not', () => {
  const draft = { ...image(true), mask: { label: 'draft v2', model: null, approved: false } };
  assert.match(
    reportHtml(input([draft])),
    /<p class="unapproved" role="note">Not approved: measured on the draft v2, which no reviewer has approved\.<\/p>/,
  );
  const approved = { ...image(true), mask: { label: 'approved mask v3', model: null, approved: true } };
  assert.doesNotMatch(reportHtml(input([approved])), /class="unapproved"/);
});
