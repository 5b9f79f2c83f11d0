// The measurement report and the two-visit comparison through the handler table and `retina serve`'s HTTP server,
// on a real database: a DRIVE photograph with RITE's reference vessels and DRIVE-OD's disc at a first visit, and a
// copy of it a year later with its widest venule erased. /report needs the access token, answers HTML whose policy
// and content fetch nothing, names the patient escaped, and carries the change since the earlier visit; the
// comparison orders the visits by date, keeps the first visit's vessel names and flags CRVE's drop.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWorkstation, type CallerContext, type Workstation } from '../../main/handlers/index.js';
import { startServer, type RetinaServer } from '../../main/server/index.js';
import { importImageFiles } from '../../main/store/index.js';
import { TOKEN_HEADER } from '../../shared/transport.js';
import { dispatchRequest, type RequestChannel, type ResponseOf } from '../../shared/contract.js';
import { MEASURE_ROWS } from '../../shared/measure/measure-table.js';
import { twoVisits } from './measure-fixture.js';
import { datasetsRoot } from '../../main/node/package-root.js';

const ctx: CallerContext = { shell: 'browser', sender: 'test' };

describe('the measurement report and the two-visit comparison', () => {
  let dir: string;
  let ws: Workstation;
  let server: RetinaServer;
  let first: string;
  let later: string;

  async function invoke<C extends RequestChannel>(channel: C, payload: unknown): Promise<ResponseOf<C>> {
    const r = await dispatchRequest(ws.handlers, channel, payload, ctx);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
    return r.value as ResponseOf<C>;
  }
  const get = (query: string, headers: Record<string, string> = { [TOKEN_HEADER]: server.token }) =>
    fetch(`http://127.0.0.1:${server.port}/report?${query}`, { headers });

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-report-'));
    const staticDir = path.join(dir, 'renderer');
    await mkdir(staticDir);
    ws = await createWorkstation({
      dbPath: path.join(dir, 'retina.db'),
      shell: 'browser',
      user: 'ann',
      anatomyModels: dir,
    });
    server = await startServer({ handlers: ws.handlers, events: ws.events, staticDir });
    const importFile = async (imagePath: string) =>
      String((await importImageFiles(ws.store, [{ imagePath }], { actor: 'ann' })).imported[0].imageId);
    const info = {
      patientId: 'P-7',
      patientName: 'Ann <b>"Smith"</b>',
      eye: 'OD' as const,
      camera: 'Canon CR-2',
    };
    ({ first, later } = await twoVisits(invoke, importFile, info, dir));
  });

  after(async () => {
    await server?.close();
    await ws?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the comparison orders the visits, keeps the first visit names and flags the CRVE drop', async () => {
    const cmp = await invoke('compareVisits', { imageId: later, otherImageId: first });
    assert.equal(cmp.earlier.imageId, first);
    assert.equal(cmp.later.visitDate, '2026-03-01');
    assert.ok(cmp.comparison.registration, 'both discs known: registered');
    assert.deepEqual(
      cmp.comparison.vessels.veins.map((m) => m.a.name),
      cmp.earlier.measurements.measures.zoneVessels.B.veins.map((v) => v.name),
    );
    const crve = cmp.comparison.changes.find((c) => c.key === 'crve')!;
    assert.ok(crve.change !== null && crve.change < 0, `CRVE fell (${crve.change})`);
    assert.equal(crve.exceeds, true, 'beyond the measurements own intervals');
    const crae = cmp.comparison.changes.find((c) => c.key === 'crae')!;
    assert.equal(crae.exceeds, false, 'the arteries did not change beyond their intervals');
    await assert.rejects(invoke('compareVisits', { imageId: first, otherImageId: '999' }), /999/);
    // A photograph whose patient and eye are unknown could be anyone's: no comparison (it was compared as if the
    // same eye's).
    const unknown = String(
      (
        await importImageFiles(
          ws.store,
          [{ imagePath: path.join(datasetsRoot(), 'DRIVE', 'test', 'images', '05_test.tif') }],
          { actor: 'ann' },
        )
      ).imported[0].imageId,
    );
    await assert.rejects(
      invoke('compareVisits', { imageId: first, otherImageId: unknown }),
      /05_test\.tif: its patient is unknown, so it cannot be compared as a visit of the same eye/,
    );
  });

  test('without dates, or with the same one, the earlier visit does not depend on which image was opened', async () => {
    const setDate = (imageId: string, visitDate: string | null) =>
      invoke('setClinicalInfo', { imageIds: [imageId], info: { visitDate } });
    try {
      for (const [a, b] of [
        [null, null],
        ['2025-03-01', null],
        [null, '2025-03-01'],
        ['2025-03-01', '2025-03-01'],
      ] as const) {
        await setDate(first, a);
        await setDate(later, b);
        const opened = [
          await invoke('compareVisits', { imageId: first, otherImageId: later }),
          await invoke('compareVisits', { imageId: later, otherImageId: first }),
        ];
        // The one imported first, from either viewer: it was whichever image the user had open.
        for (const cmp of opened) assert.equal(cmp.earlier.imageId, first, `dates ${a} and ${b}`);
        const crve = (i: number) => opened[i].comparison.changes.find((c) => c.key === 'crve')!.change;
        assert.equal(crve(0), crve(1), 'the same change, not its opposite');
      }
    } finally {
      await setDate(first, '2025-03-01');
      await setDate(later, '2026-03-01');
    }
  });

  test('/report needs the token, and answers a self-contained HTML document', async () => {
    assert.equal((await get(`image=${later}`, {})).status, 401);
    assert.equal((await get(`image=${later}`, { [TOKEN_HEADER]: 'wrong' })).status, 401);
    const res = await get(`image=${later}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/html; charset=utf-8/);
    const csp = res.headers.get('content-security-policy')!;
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /img-src data:(;|$)/);
    const html = await res.text();
    assert.match(html, /<title>Vessel measurements: P-7, OD, 2026-03-01<\/title>/);
    assert.match(html, /Ann &lt;b&gt;&quot;Smith&quot;&lt;\/b&gt;/, 'the name, escaped');
    for (const row of MEASURE_ROWS) assert.match(html, new RegExp(`<tr data-key="${row.key}"`));
    assert.match(html, /<image href="data:image\/jpeg;base64,/, 'the photograph inline');
    assert.match(html, /<image href="data:image\/png;base64,/, 'the vessel overlay inline');
    assert.match(html, /Change since 2025-03-01/, 'the earlier visit of the same eye compared');
    assert.match(html, /CRVE over the same venules: not all found again at the later visit \(missing V1\)/);
    assert.match(html, /<tr data-key="crve" class="exceeds">/);
    const urls = [...html.matchAll(/(?:href|src|action)="([^"]*)"|url\(([^)]*)\)/g)].map((m) => m[1] ?? m[2]);
    for (const u of urls) assert.match(u, /^data:/, `a URL outside the document: ${u.slice(0, 60)}`);
    const text = html.replace(/"data:[^"]*"/g, '""').replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '');
    assert.doesNotMatch(text, /https?:|\/\/[a-z0-9]/i, 'no URL outside the document');
  });

  test('a study report, a download, and clear refusals', async () => {
    const study = (await invoke('getImageInfo', { imageId: first })).studyId;
    const html = await (await get(`study=${study}`)).text();
    assert.match(html, /<title>Vessel measurements: P-7, OD, 2025-03-01<\/title>/);
    assert.doesNotMatch(html, /Change since/, 'nothing earlier than the first visit');
    const download = await get(`image=${first}&download=1`);
    assert.match(
      download.headers.get('content-disposition')!,
      /attachment; filename="P-7_OD_2025-03-01_report\.html"/,
    );
    // Names in any script stay in the file name: whole in filename*, as an ASCII stand-in in filename.
    for (const [n, patientId, fallback] of [
      ['06', '山田太郎', '____'],
      ['07', '김민준', '___'],
      ['08', 'محمد', '____'],
      ['09', 'José Ñúñez', 'Jose-Nunez'],
    ]) {
      const imagePath = path.join(datasetsRoot(), 'DRIVE', 'test', 'images', `${n}_test.tif`);
      const id = String(
        (await importImageFiles(ws.store, [{ imagePath }], { actor: 'ann' })).imported[0].imageId,
      );
      await invoke('setClinicalInfo', {
        imageIds: [id],
        info: { patientId, eye: 'OS', visitDate: '2025-04-01' },
      });
      const name = `${patientId.replace(' ', '-')}_OS_2025-04-01_report.html`;
      assert.equal((await invoke('getReport', { imageId: id })).fileName, name);
      const saved = (await get(`image=${id}&download=1`)).headers.get('content-disposition')!;
      const [, ascii, encoded] =
        /^attachment; filename="([\x20-\x7e]*)"; filename\*=UTF-8''([\w%!#$&+.^`|~-]+)$/.exec(saved)!;
      assert.equal(ascii, `${fallback}_OS_2025-04-01_report.html`);
      assert.equal(decodeURIComponent(encoded), name);
    }
    const head = await fetch(`http://127.0.0.1:${server.port}/report?image=${first}`, {
      method: 'HEAD',
      headers: { [TOKEN_HEADER]: server.token },
    });
    assert.equal(head.status, 200);
    assert.match(head.headers.get('content-type')!, /^text\/html/);
    const missing = await get('image=999');
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /^Cannot make the report: .*999/);
    assert.equal((await get('')).status, 400);
    await assert.rejects(invoke('openReportWindow', { imageId: first }), /new tab/);
  });
});
