// The measurement report and the two-visit comparison end to end, in a real browser (browser mode, 1280x720)
// against a real `retina serve`: a DRIVE photograph with RITE's reference vessels and DRIVE-OD's disc at a first
// visit, and a copy of it a year later whose draft has the widest venule erased across the zones. From the
// Measurements panel, "Report" opens a new tab that fetches nothing but itself and shows the title, every measure's
// row, the photograph with its overlays and the plots; Chromium prints it to PDF (page.pdf, its own print path)
// and pdf-lib opens that PDF: A4 pages. "Download HTML" saves the same document. "Compare with visit…" shows both
// photographs with the first visit's vessel names and flags CRVE's drop. The worklist offers each visit's report.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { MEASURE_ROWS } from '../../shared/measure/measure-table.js';
import { jobFinished, waitFor } from './flow.js';
import { chromiumAvailable, screenshotPath } from './harness.js';
import { useWorkstation } from './use-workstation.js';
import { twoVisits } from '../integration/measure-fixture.js';

/** A4 in PDF points (1/72 inch): 210 x 297 mm. */
const A4 = { width: (210 / 25.4) * 72, height: (297 / 25.4) * 72 };

describe(
  'the measurement report and two visits compared (browser mode, chromium)',
  { skip: !chromiumAvailable() && 'chromium not installed' },
  () => {
    let first: string;
    let later: string;
    let erasedVein: string;
    const app = useWorkstation({ acceptDownloads: true });

    before(async () => {
      const importFile = async (imagePath: string) => {
        await jobFinished(app.client, (await app.client.invoke('importFiles', { paths: [imagePath] })).jobId);
        const name = path.basename(imagePath);
        return (await app.client.invoke('listImages', { offset: 0, limit: 10, search: name })).items[0].id;
      };
      const info = { patientId: 'P-0042', eye: 'OD' as const, camera: 'Canon CR-2' };
      ({ first, later, erasedVein } = await twoVisits(
        (c, r) => app.client.invoke(c, r),
        importFile,
        info,
        path.dirname(app.serve.dbPath),
      ));
    });

    const panel = () => app.page.getByTestId('measurements-panel');

    test('the report opens in a new tab, self-contained, and prints to an A4 PDF', async () => {
      await app.page.goto(app.serve.url);
      await app.page.getByTestId('worklist').waitFor();
      // Each visit's header in the worklist offers the report of its images.
      const visitReport = app.page
        .getByTestId('group-header')
        .filter({ hasText: '2026-03-01' })
        .getByRole('link', { name: /^Report of the visit 2026-03-01/ });
      const { studyId } = await app.client.invoke('getImageInfo', { imageId: later });
      // Relative, so that behind a reverse proxy's sub-path it stays under the page's folder.
      assert.equal(await visitReport.getAttribute('href'), `report?study=${studyId}`);
      await app.page.locator(`[data-testid="image-row"][data-image-id="${later}"]`).dblclick();
      await app.page.getByTestId('mask-canvas').waitFor();
      await app.page.keyboard.press('Shift+M');
      await waitFor('the panel measured', async () => (await panel().getAttribute('data-version')) !== '');

      const [report] = await Promise.all([
        app.page.context().waitForEvent('page'),
        panel().getByRole('link', { name: 'Open the report of this image' }).click(),
      ]);
      const requested: string[] = [];
      report.on('request', (r) => requested.push(r.url()));
      report.on('pageerror', (err) => app.pageErrors.push(`report: ${err.message}`));
      await report.waitForLoadState('load');
      assert.equal(await report.title(), 'Vessel measurements: P-0042, OD, 2026-03-01');
      assert.equal(await report.locator('table.measures tbody tr').count(), MEASURE_ROWS.length);
      for (const row of MEASURE_ROWS) {
        const text = (await report.locator(`table.measures tr[data-key="${row.key}"]`).textContent()) ?? '';
        assert.ok(text.startsWith(row.label), `${row.key}: ${text}`);
      }
      // The photograph and the vessel map, decoded, under the disc, the zones and the named vessels.
      const decoded = (await report.evaluate(`(async () => {
        const imgs = [...document.querySelectorAll('svg.photo image')];
        return Promise.all(imgs.map((i) => new Promise((ok) => {
          const probe = new Image();
          probe.onload = () => ok(probe.naturalWidth);
          probe.onerror = () => ok(0);
          probe.src = i.getAttribute('href');
        })));
      })()`)) as number[];
      assert.equal(decoded.length, 2, 'photograph and vessel overlay');
      for (const w of decoded) assert.ok(w > 0 && w <= 1200, `an overlay image did not decode (${w})`);
      assert.equal(await report.locator('svg.photo circle[data-zone="B"]').count(), 2);
      assert.equal(await report.locator('svg.photo circle[data-zone="C"]').count(), 1);
      for (const name of ['A1', 'A6', 'V2', 'V6'])
        assert.equal(await report.locator(`svg.photo [data-vessel="${name}"]`).count(), 1, name);
      assert.equal(await report.locator('svg[data-plot="widths"] rect').count(), 12);
      assert.equal(await report.locator('svg[data-plot="intervals"] circle').count(), 7);
      assert.match(
        (await report.locator('section.comparison h2').textContent()) ?? '',
        /Change since 2025-03-01/,
      );
      assert.equal(await report.getByRole('button', { name: 'Print / save as PDF' }).count(), 1);
      assert.deepEqual(
        requested.filter((u) => !u.startsWith('data:')),
        [],
        'the report fetched something after it loaded',
      );
      await report.screenshot({ path: await screenshotPath('report-01-page'), fullPage: false });

      // Chromium's own print path, with the report's print stylesheet; then a maintained parser opens the PDF.
      await report.emulateMedia({ media: 'print' });
      const pdf = await report.pdf({ preferCSSPageSize: true, printBackground: true });
      const doc = await PDFDocument.load(pdf);
      const pages = doc.getPages();
      assert.ok(pages.length >= 2 && pages.length <= 6, `${pages.length} pages`);
      for (const p of pages) {
        const { width, height } = p.getSize();
        assert.ok(Math.abs(width - A4.width) < 1 && Math.abs(height - A4.height) < 1, `${width}x${height}`);
      }
      await report.close();

      // "Download HTML": the same document, as a file.
      const [download] = await Promise.all([
        app.page.waitForEvent('download'),
        panel().getByRole('link', { name: 'Download the report of this image as HTML' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), 'P-0042_OD_2026-03-01_report.html');
      const saved = await readFile((await download.path())!, 'utf8');
      assert.match(saved, /<title>Vessel measurements: P-0042, OD, 2026-03-01<\/title>/);
    });

    test('compare with the earlier visit: both photographs, the same names, CRVE flagged', async () => {
      const picker = panel().getByLabel('Compare with visit');
      await picker.selectOption({ label: '2025-03-01 · 02_test.tif' });
      // Choosing is not comparing yet (the first arrow key used to open the comparison with the first visit).
      assert.equal(await app.page.getByTestId('compare-visits').count(), 0);
      await panel().getByTestId('compare-open').click();
      const dialog = app.page.getByTestId('compare-visits');
      await dialog.getByTestId('change-crve').waitFor({ timeout: 60_000 });
      assert.equal(await dialog.getByTestId('visit-earlier').getAttribute('data-image-id'), first);
      assert.equal(await dialog.getByTestId('visit-later').getAttribute('data-image-id'), later);
      await waitFor(
        'both photographs shown',
        async () => (await dialog.locator('figure svg image[href^="blob:"]').count()) === 2,
      );
      const names = async (role: string) =>
        (await dialog
          .locator(`[data-testid^="${role}-vessel-"]`)
          .evaluateAll((els) =>
            els.map((e) => e.getAttribute('data-testid')!.split('-').pop()!),
          )) as string[];
      const earlier = await names('earlier');
      assert.deepEqual(earlier, ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6']);
      const matched = await names('later');
      // The later visit's vessels carry the first visit's names; the erased venule is not found again.
      assert.ok(!matched.includes(erasedVein), `${erasedVein} was erased at the later visit`);
      for (const n of ['A1', 'A2', 'A3', 'A4', 'A5', 'A6']) assert.ok(matched.includes(n), `${n} matched`);
      for (const n of matched) assert.ok(earlier.includes(n), `${n} is one of the first visit's names`);
      const crve = dialog.getByTestId('change-crve');
      assert.equal(await crve.getAttribute('data-exceeds'), 'true');
      assert.match((await crve.textContent()) ?? '', /-[\d.]+ DD.*exceeds the measurement interval/);
      assert.equal(await dialog.getByTestId('change-crae').getAttribute('data-exceeds'), 'false');
      const same = await dialog.getByTestId('same-vessels').allTextContents();
      assert.match(
        same[1],
        new RegExp(`^CRVE over the same venules: not all found again .*missing ${erasedVein}`),
      );
      // Each vessel with its width at both visits: the erased venule not found again, the arterioles compared.
      const vessel = (name: string) => dialog.getByTestId(`vessel-change-${name}`).locator('td');
      assert.deepEqual((await vessel(erasedVein).allTextContents()).slice(1), [
        'not found again',
        'not found again',
      ]);
      const a1 = await vessel('A1').allTextContents();
      assert.match(a1[0], /^[\d.]+ DD$/);
      assert.match(a1[2], /^[+-]?[\d.]+ DD$/);
      // It fits the window.
      const box = await dialog.boundingBox();
      assert.ok(
        box && box.x >= 0 && box.x + box.width <= 1280.5 && box.y >= 0 && box.y + box.height <= 720.5,
      );
      await app.page.screenshot({ path: await screenshotPath('report-02-compare') });
      await app.page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.deepEqual(app.pageErrors, []);
    });
  },
);
