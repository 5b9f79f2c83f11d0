// `retina measure --report` as a user runs it on a DRIVE test photograph: beside its measures, a self-contained
// report built by the workstation's own builder, with the photograph, the vessel overlay, every measure's row (in
// micrometres from the field angle) and nothing fetched from anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MEASURE_ROWS } from '../../shared/measure/measure-table.js';
import { repoRoot } from '../e2e/model-fixture.js';
import { driveTestImagePath } from './measure-fixture.js';

test('retina measure --report writes <stem>_report.html beside <stem>_measures.json', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-measure-report-'));
  try {
    const r = spawnSync(
      process.execPath,
      [
        path.join(repoRoot, 'bin', 'retina.mjs'),
        'measure',
        driveTestImagePath('02'),
        '--out',
        dir,
        '--field-angle',
        '45',
        '--draws',
        '40',
        '--report',
      ],
      // The sources as they are (a built dist/ may be older).
      { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, RETINA_FROM_SOURCE: '1' } },
    );
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(await readFile(path.join(dir, '02_test_measures.json'), 'utf8')) as {
      crae: { value: number | null; unit: string };
    };
    const html = await readFile(path.join(dir, '02_test_report.html'), 'utf8');
    assert.match(html, /<title>Vessel measurements: 02_test\.tif, eye unknown, visit date unknown<\/title>/);
    for (const row of MEASURE_ROWS) assert.match(html, new RegExp(`<tr data-key="${row.key}"`));
    assert.equal(json.crae.unit, 'µm');
    assert.match(html, /Lengths in micrometres from the camera&#39;s field angle/);
    assert.match(html, /<image href="data:image\/jpeg;base64,[^"]+" x="0" y="0" width="565" height="584"\/>/);
    assert.match(html, /<image href="data:image\/png;base64,[^"]+"[^>]*opacity="0\.6"\/>/);
    const text = html.replace(/"data:[^"]*"/g, '""').replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '');
    assert.doesNotMatch(text, /https?:|\/\/[a-z0-9]/i, 'no URL outside the document');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
