// `retina segment --av` as a user runs it (the built CLI, the bundled models) on the CC0 sample, a photograph of a
// left eye with its disc on the left: the artery/vein map has the input's size, colours exactly the vessel mask's
// pixels red or blue, and the disc JSON places the disc on the image's left half with laterality L. A vessel model
// given as the artery/vein model is refused with a message naming it. A photograph cut through the disc says so, in
// the disc JSON and on stderr, and `retina measure` in its measures JSON, CSV and report. A photograph stored upside
// down (a fovea above the disc) gives no eye, with a warning, where it gave the other eye.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { readImage } from '../../main/ml/io/image-io.js';
import { existsSync } from 'node:fs';
import { driveTestImage, repoRoot } from '../e2e/model-fixture.js';
import { FOVEA_ABOVE_DISC_WARNING } from '../../main/ml/anatomy/fovea.js';
import { DISC_AT_FIELD_EDGE_NOTE } from '../../shared/measure/disc-at-field-edge.js';
import { escapeHtml } from '../../shared/measure/report-html.js';
import { NO_COLOUR_WARNING } from '../../main/ml/anatomy/artery-vein.js';
import { eyeConflict } from '../../shared/laterality.js';
import { writeDicom } from './dicom-fixture.js';

const CLI = path.join(repoRoot, 'bin', 'retina.mjs');
const SAMPLE = path.join(repoRoot, 'resources', 'samples', 'fundus-normal-left-eye-cc0.jpg');

function retina(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('retina segment --av', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-anatomy-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('writes the artery/vein map over exactly the mask, and the disc, fovea and laterality', async () => {
    const r = retina(['segment', SAMPLE, '--out', dir, '--av', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { results: { av?: string; disc?: string }[] };
    const stem = 'fundus-normal-left-eye-cc0';
    assert.equal(summary.results[0].av, path.join(dir, `${stem}_av.png`));
    const av = await readImage(path.join(dir, `${stem}_av.png`));
    const mask = await readImage(path.join(dir, `${stem}_mask.png`));
    assert.deepEqual([av.width, av.height, av.channels], [1411, 1411, 3]);
    let arteries = 0;
    let veins = 0;
    for (let i = 0; i < mask.width * mask.height; i++) {
      const [red, green, blue] = [av.data[i * 3], av.data[i * 3 + 1], av.data[i * 3 + 2]];
      assert.equal(green, 0);
      if (mask.data[i * mask.channels]) {
        assert.ok((red === 255 && blue === 0) || (red === 0 && blue === 255), `pixel ${i} is ${red},${blue}`);
        if (red) arteries++;
        else veins++;
      } else assert.ok(red === 0 && blue === 0, `pixel ${i} is coloured off the mask`);
    }
    // Both kinds are found, and neither is a token few.
    assert.ok(
      arteries > 0.2 * (arteries + veins) && veins > 0.2 * (arteries + veins),
      `${arteries} / ${veins}`,
    );
    const disc = JSON.parse(await readFile(path.join(dir, `${stem}_disc.json`), 'utf8')) as {
      disc: { x: number; y: number; diameter: number } | null;
      fovea: { x: number; y: number; confidence: number } | null;
      laterality: string | null;
    };
    assert.deepEqual(Object.keys(disc).sort(), ['disc', 'fovea', 'laterality']);
    assert.ok(disc.disc, 'no disc found');
    assert.ok(disc.disc.x < 1411 / 2, `disc at x = ${disc.disc.x}`);
    // A disc is 1.5-2 mm across in a field of about 12 mm (45 degrees): a tenth to a fifth of the photograph.
    assert.ok(disc.disc.diameter > 100 && disc.disc.diameter < 330, `diameter ${disc.disc.diameter}`);
    assert.equal(disc.laterality, 'L');
    if (disc.fovea) assert.ok(disc.fovea.x > disc.disc.x, 'the fovea of a left eye lies right of its disc');
  });

  test('a photograph without colour is labelled all the same, with a warning on stderr and in the disc JSON', async () => {
    // A grey photograph saved as RGB, as red-free photographs often are (the colour sample above has no warning).
    const grey = path.join(dir, 'red-free.png');
    await sharp(SAMPLE).greyscale().toColourspace('srgb').png().toFile(grey);
    assert.equal((await readImage(grey)).channels, 3);
    const r = retina(['segment', grey, '--out', dir, '--av', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const said = r.stderr.split('\n').filter((l) => l.includes('warning:'));
    assert.deepEqual(said, [`retina segment: ${grey}: warning: ${NO_COLOUR_WARNING}`]);
    // The --json summary repeats the disc JSON, its warnings included.
    const summary = JSON.parse(r.stdout) as { results: { anatomy?: { warnings?: string[] } }[] };
    assert.deepEqual(summary.results[0].anatomy?.warnings, [NO_COLOUR_WARNING]);
    const disc = JSON.parse(await readFile(path.join(dir, 'red-free_disc.json'), 'utf8')) as {
      warnings?: string[];
    };
    assert.deepEqual(disc.warnings, [NO_COLOUR_WARNING]);
  });

  test("a disc cut off by the photograph's edge is flagged in the disc JSON, on stderr and in the measures", async () => {
    // The sample cropped through its disc (centre about x = 206, diameter about 216): a third of it is left.
    const cut = path.join(dir, 'cut-disc.png');
    await sharp(SAMPLE).extract({ left: 180, top: 300, width: 900, height: 700 }).png().toFile(cut);
    const r = retina(['segment', cut, '--out', dir, '--av']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /cut-disc\.png: warning: the optic disc lies at the edge of the field/);
    // The summary line names every file written, the anatomy's too.
    assert.match(
      r.stderr,
      /cut-disc\.png -> .*cut-disc_mask\.png, .*cut-disc_prob\.png, .*cut-disc_av\.png, .*cut-disc_disc\.json \(/,
    );
    const disc = JSON.parse(await readFile(path.join(dir, 'cut-disc_disc.json'), 'utf8')) as {
      disc: { x: number } | null;
      warnings?: string[];
    };
    assert.ok(disc.disc && disc.disc.x < 120, `disc at ${JSON.stringify(disc.disc)}`);
    assert.equal(disc.warnings?.length, 1);
    assert.match(disc.warnings![0], /diameter .* may be too small/);

    // `retina measure` says so in the measures JSON, the CSV and the report too, and keeps the values.
    const out = path.join(dir, 'measured');
    const m = retina(['measure', cut, '--out', out, '--draws', '20', '--report']);
    assert.equal(m.code, 0, m.stderr);
    assert.match(m.stderr, /cut-disc\.png: warning: the optic disc lies at the edge of the field/);
    const measures = JSON.parse(await readFile(path.join(out, 'cut-disc_measures.json'), 'utf8')) as {
      discAtFieldEdge: boolean;
      notes: string[];
      calibre: { value: number | null };
    };
    assert.equal(measures.discAtFieldEdge, true);
    // The disc's note first, then the segmentation's own warnings (this crop shows no aperture edge), each also on
    // stderr.
    assert.equal(measures.notes[0], DISC_AT_FIELD_EDGE_NOTE);
    for (const n of measures.notes.slice(1)) assert.ok(m.stderr.includes(`warning: ${n}`), n);
    assert.ok(measures.calibre.value !== null, 'the calibre was blanked');
    const csv = (await readFile(path.join(out, 'measures.csv'), 'utf8')).trim().split('\n');
    assert.match(csv[0], /,disc_at_field_edge,notes,gradable,quality$/);
    assert.ok(csv[1].includes(`,true,"${measures.notes.join(' ')}",true,`), csv[1].slice(-300));
    const report = await readFile(path.join(out, 'cut-disc_report.html'), 'utf8');
    assert.ok(report.includes(escapeHtml(DISC_AT_FIELD_EDGE_NOTE)), 'the report does not say so');
  });

  test('a photograph that shows no disc gets none, and measures in disc diameters say why they are absent', async () => {
    // The sample's middle, right of its disc (centre about x = 206, diameter about 216): macula and vessels only.
    // The network's most disc-like region there is a speck two vessel widths across; it must not become the disc.
    const middle = path.join(dir, 'no-disc.png');
    await sharp(SAMPLE).extract({ left: 400, top: 350, width: 700, height: 700 }).png().toFile(middle);
    const r = retina(['segment', middle, '--out', dir, '--av']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /no-disc\.png: warning: no optic disc found: /);
    const disc = JSON.parse(await readFile(path.join(dir, 'no-disc_disc.json'), 'utf8')) as {
      disc: unknown;
      fovea: unknown;
      laterality: unknown;
      warnings?: string[];
    };
    assert.deepEqual([disc.disc, disc.fovea, disc.laterality], [null, null, null]);
    assert.match(disc.warnings?.[0] ?? '', /^no optic disc found: /);

    const out = path.join(dir, 'no-disc-measured');
    const m = retina(['measure', middle, '--out', out, '--draws', '20']);
    assert.equal(m.code, 0, m.stderr);
    const measures = JSON.parse(await readFile(path.join(out, 'no-disc_measures.json'), 'utf8')) as Record<
      string,
      { value: number | null; unit: string; reason?: string } | null
    >;
    assert.equal(measures.disc, null);
    assert.equal(measures.crae!.value, null);
    assert.equal(measures.crae!.reason, 'no optic disc found');
    // Without a disc or a pixel size, lengths stay in the image's pixels, labelled as such.
    assert.equal(measures.calibre!.unit, 'px');
  });

  test('an eye the DICOM header or the file name records against the disc and fovea is said, neither overriding', async () => {
    // The sample (a left eye) mirrored: its disc and fovea now show a right eye. Saved as DICOM whose header says
    // left, and as a PNG whose name says left (as an import reads it).
    const { data, info } = await sharp(SAMPLE)
      .flop()
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const dcm = path.join(dir, 'mirrored.dcm');
    writeDicom(
      dcm,
      { width: info.width, height: info.height, rgb: new Uint8Array(data) },
      { laterality: 'L' },
    );
    const named = path.join(dir, 'p07-left-mirrored.png');
    await sharp(SAMPLE).flop().png().toFile(named);
    const r = retina(['segment', dcm, named, '--out', dir, '--av']);
    assert.equal(r.code, 0, r.stderr);
    for (const [stem, source] of [
      ['mirrored', 'the DICOM header'],
      ['p07-left-mirrored', 'the file name'],
    ] as const) {
      const disc = JSON.parse(await readFile(path.join(dir, `${stem}_disc.json`), 'utf8')) as {
        laterality: string | null;
        warnings?: string[];
      };
      assert.equal(disc.laterality, 'R', stem);
      const said = eyeConflict('OS', 'R', source)!;
      assert.deepEqual(disc.warnings, [said], stem);
      assert.ok(
        r.stderr.includes(`${stem}.${stem === 'mirrored' ? 'dcm' : 'png'}: warning: ${said}`),
        r.stderr,
      );
    }

    // `retina measure` keeps it with the measures too.
    const out = path.join(dir, 'mirrored-measured');
    const m = retina(['measure', dcm, '--out', out, '--draws', '20']);
    assert.equal(m.code, 0, m.stderr);
    const measures = JSON.parse(await readFile(path.join(out, 'mirrored_measures.json'), 'utf8')) as {
      notes: string[];
    };
    assert.ok(
      measures.notes.includes(eyeConflict('OS', 'R', 'the DICOM header')!),
      measures.notes.join(' | '),
    );
  });

  const drive01 = driveTestImage('01');
  test(
    'a photograph stored upside down gives no eye, and says why, where it gave the other eye',
    { skip: !existsSync(drive01) && `no ${drive01}` },
    async () => {
      // DRIVE's 01_test, a left eye (its disc on the left, the fovea right of it and a little below), and the same
      // photograph rotated 180 degrees as some exports store it: the disc's side of the fovea then shows a right eye,
      // but the fovea lies above the disc, which no upright photograph shows.
      const upright = path.join(dir, 'drive-01.png');
      const rotated = path.join(dir, 'drive-01-rotated.png');
      await sharp(drive01).png().toFile(upright);
      await sharp(drive01).rotate(180).png().toFile(rotated);
      const r = retina(['segment', upright, rotated, '--out', dir, '--av']);
      assert.equal(r.code, 0, r.stderr);
      const read = async (stem: string) =>
        JSON.parse(await readFile(path.join(dir, `${stem}_disc.json`), 'utf8')) as {
          disc: { x: number; y: number } | null;
          fovea: { x: number; y: number; confidence: number } | null;
          laterality: string | null;
          warnings?: string[];
        };
      const up = await read('drive-01');
      assert.equal(up.laterality, 'L');
      assert.equal(up.warnings, undefined);
      const down = await read('drive-01-rotated');
      assert.ok(down.disc && down.fovea, 'disc and fovea found on the rotated photograph');
      assert.ok(down.fovea.y < down.disc.y, 'the rotated fovea lies above the disc');
      assert.equal(down.laterality, null);
      assert.deepEqual(down.warnings, [FOVEA_ABOVE_DISC_WARNING]);
    },
  );

  test('a vessel model given as the artery/vein model is refused', () => {
    const vessel = path.join(repoRoot, 'resources', 'models', 'default');
    const r = retina(['segment', SAMPLE, '--out', dir, '--av', '--av-model', vessel]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /is not an artery\/vein model/);
  });
});
