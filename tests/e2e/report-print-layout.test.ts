// The report as Chromium lays it out for print (A4 less its margins, 186 mm): a long unbroken file name (a DICOM
// UID) or patient name wraps inside the header instead of widening the page, which made Chromium shrink the whole
// printed report, text and photograph, to fit; and the photograph's letterbox is not printed black.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { chromiumAvailable, launchChromium } from './harness.js';
import { reportHtml, type ReportImage } from '../../shared/measure/report-html.js';
import { withReportPolicy } from '../../main/handlers/report-policy.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { measureImage } from '../../shared/measure/measures.js';
import { ring } from '../unit/measure/phantoms.js';
import { repoRoot } from './model-fixture.js';

const PIXEL = 'data:image/png;base64,iVBORw0KGgo=';
const UID = '1.2.840.113619.2.55.3.604688119.969.1268071029.320.1.20250110.OD.dcm';

function image(fileName: string): ReportImage {
  const r = ring([5, 6, 7, 8, 9, 10], [7, 8, 9, 11, 12, 14]);
  return {
    fileName,
    width: r.ph.width,
    height: r.ph.height,
    eye: 'OD',
    visitDate: '2026-01-02',
    camera: null,
    fieldAngleDeg: null,
    photo: PIXEL,
    vessels: null,
    mask: { label: 'approved mask v1', model: null },
    scaleSource: null,
    measures: measureImage({ ...r.ph, av: r.av, disc: r.disc, draws: 20 }),
  };
}

describe('report print layout (chromium)', { skip: !chromiumAvailable() && 'chromium not installed' }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser?.close());

  test('loaded from a file (the desktop report window), the report carries its policy: no other script, no file read', async () => {
    const html = reportHtml({
      patient: { pseudonym: 'P-1', name: null, birthYear: null },
      generatedAt: '2026-12-02T10:00:00Z',
      appVersion: '0.1.0',
      images: [image('a.png')],
    });
    // What an escaping slip would let in: a script of its own and a read of a local file (a real picture, which
    // a file:// page shows without the policy).
    const slipped = withReportPolicy(html).replace(
      '<body>',
      `<body><script>window.ran = true</script><img id="local" src="file://${path.join(repoRoot, 'resources', 'build', 'icon.png')}">`,
    );
    const dir = await mkdtemp(path.join(tmpdir(), 'retina-report-policy-'));
    const page = await browser.newPage();
    try {
      const file = path.join(dir, 'report.html');
      await writeFile(file, slipped);
      await page.goto(`file://${file}`);
      assert.equal(await page.evaluate('window.ran === true'), false, 'an inline script ran');
      assert.equal(
        await page.evaluate("document.getElementById('local').naturalWidth"),
        0,
        'a local file was read',
      );
      // The print button's own script is the one allowed: it runs.
      assert.equal(
        await page.evaluate(
          "(() => { let printed = false; window.print = () => { printed = true; }; document.getElementById('print').click(); return printed; })()",
        ),
        true,
      );
    } finally {
      await page.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('long unbroken names wrap inside the header; the page keeps its printed width', async () => {
    const html = reportHtml({
      patient: { pseudonym: 'P-1', name: 'Bartholomew-Maximilian'.repeat(4), birthYear: null },
      generatedAt: '2026-12-02T10:00:00Z',
      appVersion: '0.1.0',
      images: [image(UID)],
      unmeasured: [
        { fileName: UID.replace('OD', 'OS'), eye: 'OS', visitDate: null, camera: null, fieldAngleDeg: null },
      ],
    });
    // 186 mm at 96 CSS px per inch: the printable width of A4 with the report's 12 mm margins.
    const page = await browser.newPage({ viewport: { width: 703, height: 1000 } });
    try {
      await page.setContent(html);
      await page.emulateMedia({ media: 'print' });
      const widths = await page.evaluate<{ page: number; header: number; view: number }>(`(() => ({
        page: document.documentElement.scrollWidth,
        header: document.querySelector('dl.header').scrollWidth,
        view: document.documentElement.clientWidth,
      }))()`);
      assert.ok(widths.page <= widths.view, `the page is ${widths.page} px wide in a ${widths.view} px view`);
      assert.ok(widths.header <= widths.view, `the header is ${widths.header} px wide`);
      const background = await page.evaluate<string>(
        "getComputedStyle(document.querySelector('svg.photo')).backgroundColor",
      );
      assert.match(background, /rgba\(0, 0, 0, 0\)|transparent/, `printed letterbox: ${background}`);
    } finally {
      await page.close();
    }
  });
});
