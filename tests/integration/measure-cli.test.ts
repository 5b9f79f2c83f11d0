// `retina measure` as a user runs it (the built CLI, the bundled models) on DRIVE test photographs given at their
// own size and at twice it: the same eye must give the same measures; bad input fails alone, clearly. And a hand-check: CRAE and CRVE of three DRIVE
// images from their reference vessels, artery/vein labels (RITE) and discs (DRIVE-OD), by the engine and by an
// independent implementation written here (vessels found where they cross circles in zone B, widths from chords of
// the mask across them, Knudtson's pairing written out again).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { readImage } from '../../main/ml/io/image-io.js';
import { AV_LABEL, decodeAvLabels } from '../../main/ml/anatomy/av-labels.js';
import { measureImage } from '../../shared/measure/measures.js';
import { repoRoot } from '../e2e/model-fixture.js';
import { writeDicom } from './dicom-fixture.js';

const CLI = path.join(repoRoot, 'bin', 'retina.mjs');
const DATA = process.env.RETINA_DATASETS ?? path.join(repoRoot, '..', 'shared', 'datasets');

interface MeasureJson {
  value: number | null;
  unit: string;
  ci95: [number, number] | null;
  reason?: string;
}
type Result = Record<string, MeasureJson> & {
  input: string;
  disc: { x: number; y: number; diameter: number } | null;
};

/**
 * Values known to differ between the two sizes, with why (an AVR is exempt with its CRAE or CRVE). None now. 03's CRVE
 * changed by +15.8% (224 -> 259 µm): below its disc the inferior venule forks just inside zone B (r 1.1 DD), too near
 * the zone's edge to measure its trunk, so the two daughters count; at the photograph's size the right daughter touches
 * an arteriole running beside it (a crossing node at r 1.42), and every profile of it in the zone but four lay within a
 * vessel width of a node: it was dropped, and a 66 µm venule took its place among the six. At twice the size it measured
 * 156 µm. A vessel too short to measure in the zone is now measured on its nearest clear stretch just outside it
 * (154 µm at 1x; CRVE 257 -> 259 µm, +0.9%). The same rule gives DRIVE 06 its inferior venule (169 µm) at both sizes.
 * 03's CRAE is near the edge, +2.94%: the exact expectation over the labels (it was +2.996% as the mean of 400 draws
 * from one stream, which the venule added reshuffled), close to 3% with no vessel lost or gained among the arterioles.
 * Earlier entries: 01's CRAE (+3.2%, a vessel labelled vein at 1x and artery at 2x) and 03's CRAE (7 arterioles at
 * 1x, 5 at 2x), both within 3% since the optic-disc network of 2026-12-05.
 */
const KNOWN_UNSTABLE: Record<string, string> = {};

describe('retina measure at two sizes of the same photographs', () => {
  let dir: string;
  let results: Result[];
  const ids = ['01', '02', '03', '04'];
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-measure-cli-'));
    const inputs: string[] = [];
    for (const id of ids) {
      const src = path.join(DATA, 'DRIVE', 'test', 'images', `${id}_test.tif`);
      const meta = await sharp(src).metadata();
      inputs.push(path.join(dir, `${id}_x1.png`), path.join(dir, `${id}_x2.png`));
      await sharp(src)
        .png()
        .toFile(path.join(dir, `${id}_x1.png`));
      await sharp(src)
        .resize(meta.width! * 2, meta.height! * 2, { kernel: 'cubic' })
        .png()
        .toFile(path.join(dir, `${id}_x2.png`));
    }
    const r = spawnSync(
      process.execPath,
      [CLI, 'measure', ...inputs, '--out', path.join(dir, 'out'), '--field-angle', '45', '--json'],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    results = (JSON.parse(r.stdout) as { results: Result[] }).results;
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('writes every image its JSON with the stable keys, and one CSV row each', async () => {
    for (const r of results) {
      for (const key of [
        'crae',
        'crve',
        'avr',
        'fractalDimension',
        'vesselDensity',
        'tortuosity',
        'calibre',
      ]) {
        const m = r[key];
        assert.ok(m && 'value' in m && 'unit' in m && 'ci95' in m, `${r.input}: ${key}`);
        if (m.value === null) assert.ok(m.reason, `${r.input}: ${key} is absent without a reason`);
        else
          assert.ok(
            m.ci95![0] <= m.value && m.value <= m.ci95![1],
            `${r.input}: ${key} outside its interval`,
          );
      }
      assert.equal(r.calibre.unit, 'µm', 'a field angle gives micrometres');
      assert.equal(
        (r as unknown as { scale: { source: string } }).scale.source,
        'field angle',
        'and says so (it said "pixel size")',
      );
      assert.ok(r.disc && r.disc.diameter > 0, `${r.input}: disc found`);
      const stem = path.basename(r.input, '.png');
      const own = JSON.parse(
        await readFile(path.join(dir, 'out', `${stem}_measures.json`), 'utf8'),
      ) as Result;
      assert.deepEqual(own.crae, r.crae);
    }
    const csv = (await readFile(path.join(dir, 'out', 'measures.csv'), 'utf8')).trim().split('\n');
    assert.equal(csv.length, 1 + results.length);
    assert.match(
      csv[0],
      /^image,width,height,length_unit,disc_x_px,disc_y_px,disc_diameter_px,crae,crae_unit,/,
    );
  });

  test('bad input fails alone with a clear error naming it once: a corrupt photograph, a mask of the wrong size, a picture that is no A/V map', async () => {
    const corrupt = path.join(dir, 'corrupt.jpg');
    await writeFile(corrupt, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(40, 0x47)]));
    const out = path.join(dir, 'bad');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, 'measure', ...args, '--out', out], {
        cwd: repoRoot,
        encoding: 'utf8',
      });
    const r = run(corrupt, path.join(dir, '01_x1.png'), '--json');
    assert.equal(r.status, 1, 'a failed input makes the exit code non-zero');
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('retina measure:'));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0], /^retina measure: \S*corrupt\.jpg: JPEG corrupt or truncated \(libvips: /);
    assert.equal(errors[0].split('corrupt.jpg').length, 2, `the file named more than once: ${errors[0]}`);
    const summary = JSON.parse(r.stdout) as {
      results: Array<{ input: string; error?: string; crae?: unknown }>;
    };
    assert.match(summary.results[0].error ?? '', /corrupt\.jpg: JPEG corrupt/);
    assert.ok(summary.results[1].crae, 'the good photograph is measured all the same');
    const csv = (await readFile(path.join(out, 'measures.csv'), 'utf8')).trim().split('\n');
    assert.equal(csv.length, 2, 'one row: the photograph that was measured');

    /** A flat picture of one colour, written as PNG. */
    const flat = async (name: string, width: number, height: number, background: string) => {
      const file = path.join(dir, name);
      await sharp({ create: { width, height, channels: 3, background } })
        .png()
        .toFile(file);
      return file;
    };
    const small = await flat('small.png', 100, 80, '#000');
    const wrong = run(path.join(dir, '01_x1.png'), '--mask', small);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /01_x1\.png: \S*small\.png: size 100x80 does not match the expected 565x584/);

    // A picture of the right size that is no artery/vein map (here all green: RITE's crossing colour).
    const green = await flat('green.png', 565, 584, '#00ff00');
    const notAv = run(path.join(dir, '01_x1.png'), '--av', green);
    assert.equal(notAv.status, 1);
    assert.match(
      notAv.stderr,
      /green\.png labels no vessel pixel artery or vein: not an artery\/vein map of this image \(red 255,0,0 artery, blue 0,0,255 vein/,
    );
  });

  test('the maps given in place of the prediction are checked, and a corrected mask is labelled itself', async () => {
    const photo = path.join(dir, '01_x1.png');
    const out = path.join(dir, 'given');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, 'measure', photo, ...args, '--out', out, '--json'], {
        cwd: repoRoot,
        encoding: 'utf8',
      });
    // The photograph itself, given by mistake as the mask and as the artery/vein map.
    const asMask = run('--mask', photo);
    assert.equal(asMask.status, 1);
    assert.match(
      asMask.stderr,
      /01_x1\.png is not a vessel mask: \d+% of its pixels are neither black nor white/,
    );
    const asAv = run('--av', photo);
    assert.equal(asAv.status, 1);
    assert.match(
      asAv.stderr,
      /01_x1\.png is not an artery\/vein map of this image .*: \d+% of its pixels are none/,
    );

    // The prediction's mask, inverted: refused; with a wide vessel drawn in through zone B: measured with it.
    const seg = spawnSync(process.execPath, [CLI, 'segment', photo, '--out', out], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    assert.equal(seg.status, 0, seg.stderr);
    const { data, info } = await sharp(path.join(out, '01_x1_mask.png'))
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true });
    const write = async (name: string, pixels: Uint8Array) => {
      const file = path.join(dir, name);
      await sharp(pixels, { raw: { width: info.width, height: info.height, channels: 1 } })
        .png()
        .toFile(file);
      return file;
    };
    const inverted = run(
      '--mask',
      await write(
        'inverted.png',
        data.map((v) => 255 - v),
      ),
    );
    assert.equal(inverted.status, 1);
    assert.match(inverted.stderr, /inverted\.png is \d+% white: its vessels look black, the mask inverted/);

    const disc = results[0].disc!;
    type Named = { x: number; y: number };
    type Zones = { zoneVessels: Record<string, Record<string, Named[]>> };
    const zoneB = (m: Zones): Named[] => [...m.zoneVessels.B.arteries, ...m.zoneVessels.B.veins];
    // A wide vessel drawn straight out from the disc (0.9 to 1.7 diameters) where the mask has fewest.
    const half = 6;
    const band = (angle: number, each: (i: number) => void) => {
      const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
      for (let r = 0.9 * disc.diameter; r < 1.7 * disc.diameter; r += 0.5)
        for (let t = -half; t <= half; t += 0.5) {
          const x = Math.round(disc.x + r * dx - t * dy);
          const y = Math.round(disc.y + r * dy + t * dx);
          if (x < 0 || y < 0 || x >= info.width || y >= info.height) return each(-1);
          each(y * info.width + x);
        }
    };
    const hits = (angle: number): number => {
      let n = 0;
      band(angle, (i) => (n += i < 0 ? 1e6 : data[i] ? 1 : 0));
      return n;
    };
    const angles = Array.from({ length: 72 }, (_, k) => (k * Math.PI) / 36);
    const empty = angles.reduce((best, a) => (hits(a) < hits(best) ? a : best));
    const corrected = Uint8Array.from(data);
    band(empty, (i) => (corrected[i] = 255));
    const crossing = {
      x: disc.x + 1.25 * disc.diameter * Math.cos(empty),
      y: disc.y + 1.25 * disc.diameter * Math.sin(empty),
    };
    const near = (v: Named) => Math.hypot(v.x - crossing.x, v.y - crossing.y) <= 2 * half;
    assert.ok(!zoneB(results[0] as unknown as Zones).some(near), 'no zone B vessel there before');
    const drawn = run('--mask', await write('corrected.png', corrected));
    assert.equal(drawn.status, 0, drawn.stderr);
    const m = (JSON.parse(drawn.stdout) as { results: Zones[] }).results[0];
    assert.ok(zoneB(m).some(near), `the vessel drawn in is one of zone B's: ${JSON.stringify(zoneB(m))}`);
  });

  test("the segmentation's and the labelling's warnings stay with the values; a strip of pixels is refused", async () => {
    const grey = path.join(dir, 'grey.png');
    await sharp(path.join(dir, '01_x1.png')).greyscale().png().toFile(grey);
    const strip = path.join(dir, 'strip.png');
    await sharp({ create: { width: 1, height: 500, channels: 3, background: '#804020' } })
      .png()
      .toFile(strip);
    const out = path.join(dir, 'warned');
    const r = spawnSync(process.execPath, [CLI, 'measure', grey, strip, '--out', out, '--json'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      /strip\.png: 1x500 is too small to measure vessels in \(32 px a side at the least\)/,
    );
    const [m] = (JSON.parse(r.stdout) as { results: Array<{ notes: string[] }> }).results;
    const warned = r.stderr.split('\n').filter((l) => /grey\.png: warning: /.test(l));
    assert.ok(warned.length > 0, r.stderr);
    for (const w of warned)
      assert.ok(m.notes.includes(w.replace(/^.*?: warning: /, '')), `${w} not in ${m.notes}`);
    const csv = await readFile(path.join(out, 'measures.csv'), 'utf8');
    assert.ok(csv.includes(m.notes[0].slice(0, 40)), 'the notes column holds them too');
    // A later run that measures nothing leaves that CSV as it was, and says so.
    const none = spawnSync(process.execPath, [CLI, 'measure', strip, '--out', out], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    assert.equal(none.status, 1);
    assert.match(
      none.stderr,
      /no image was measured: measures\.csv not written \(an earlier one there is kept\)/,
    );
    assert.equal(await readFile(path.join(out, 'measures.csv'), 'utf8'), csv);
  });

  test('Ctrl+C stops between images: the CSV and the JSON hold the images measured, each file whole', async () => {
    const copies = path.join(dir, 'copies');
    await mkdir(copies, { recursive: true });
    for (let i = 1; i <= 6; i++)
      await copyFile(path.join(dir, '01_x1.png'), path.join(copies, `eye${i}.png`));
    const out = path.join(dir, 'stopped');
    const child = spawn(process.execPath, [CLI, 'measure', copies, '--out', out, '--json'], {
      cwd: repoRoot,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/\] 1\/6/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 130, stderr);
    const summary = JSON.parse(stdout) as { interrupted?: boolean; results: Result[] };
    assert.equal(summary.interrupted, true);
    const done = summary.results.length;
    assert.ok(done >= 1 && done < 6, stderr);
    assert.match(stderr, new RegExp(`interrupted after ${done} of 6 images`));
    // The progress bar's last line says where it stopped, not 6/6 100%.
    assert.match(stderr, new RegExp(`\\] ${done}/6 \\d+% .* stopped`));
    assert.doesNotMatch(stderr, /6\/6 100%/);
    const csv = (await readFile(path.join(out, 'measures.csv'), 'utf8')).trim().split('\n');
    assert.equal(csv.length, 1 + done);
    const files = (await readdir(out)).filter((f) => f.endsWith('_measures.json'));
    assert.equal(files.length, done);
    for (const f of files) assert.ok(JSON.parse(await readFile(path.join(out, f), 'utf8')).crae, f);
  });

  test('a DICOM photograph (JPEG-compressed) is measured in micrometres from its own pixel spacing', async () => {
    const { data, info } = await sharp(path.join(dir, '01_x1.png'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const jpeg = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
      .jpeg({ quality: 95 })
      .toBuffer();
    const file = path.join(dir, '01.dcm');
    // The fixture's pixel spacing is 0.0125 mm by 0.0130 mm: 12.75 µm a pixel on average.
    writeDicom(
      file,
      { width: info.width, height: info.height, rgb: new Uint8Array(data) },
      { jpeg: { bytes: jpeg, fragments: 2 }, patientId: 'PAT-0042', laterality: 'R' },
    );
    const r = spawnSync(
      process.execPath,
      [CLI, 'measure', file, '--out', path.join(dir, 'dicom'), '--json', '--report'],
      {
        cwd: repoRoot,
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const [m] = (
      JSON.parse(r.stdout) as {
        results: Array<Result & { scale: { unit: string; perPixel: number; source: string } }>;
      }
    ).results;
    assert.deepEqual(
      { ...m.scale, perPixel: +m.scale.perPixel.toFixed(6) },
      { unit: 'µm', perPixel: 12.75, source: 'dicom' },
    );
    assert.equal(m.calibre.unit, 'µm');
    assert.ok(m.calibre.value! > 0);
    // The report names the patient and eye the header gives, and where the micrometres come from.
    const report = await readFile(path.join(dir, 'dicom', '01_report.html'), 'utf8');
    assert.match(report, /PAT-0042/);
    assert.match(report, /Vessel measurements: PAT-0042, OD,/);
    assert.match(report, /DICOM pixel spacing/);
  });

  const at = (id: string, k: number): Result => results.find((r) => r.input.endsWith(`${id}_x${k}.png`))!;
  const change = (id: string, k: string): number | null => {
    const [a, b] = [at(id, 1)[k].value, at(id, 2)[k].value];
    return a === null || b === null ? null : b / a - 1;
  };

  test('twice the size gives the same fractal dimension and calibre, and CRAE, CRVE and AVR close', () => {
    const rows: string[] = [];
    for (const id of ids) {
      const a = at(id, 1);
      const b = at(id, 2);
      const rel = (k: string): number | null => change(id, k);
      assert.ok(
        Math.abs(b.fractalDimension.value! - a.fractalDimension.value!) <= 0.03,
        `${id}: fractal dimension`,
      );
      assert.ok(Math.abs(rel('calibre')!) <= 0.03, `${id}: calibre ${rel('calibre')}`);
      const avrUnstable = KNOWN_UNSTABLE[`${id} crae`] || KNOWN_UNSTABLE[`${id} crve`];
      if (a.avr.value !== null && b.avr.value !== null && !avrUnstable)
        assert.ok(Math.abs(b.avr.value - a.avr.value) <= 0.03, `${id}: AVR ${a.avr.value} -> ${b.avr.value}`);
      for (const k of ['crae', 'crve']) {
        const d = rel(k);
        // The goal, 3%: where both sizes measure the same vessels, these four agree within 0.6-2.9% (the
        // network's widths come out about 1.5% wider in the softer enlargement); a vessel lost, gained or measured
        // differently at one size moves CRAE or CRVE by 5% or more.
        if (d !== null && !KNOWN_UNSTABLE[`${id} ${k}`])
          assert.ok(Math.abs(d) <= 0.03, `${id}: ${k} ${(d * 100).toFixed(1)}%`);
        rows.push(`${id} ${k} ${d === null ? (a[k].reason ?? b[k].reason) : (d * 100).toFixed(1) + '%'}`);
      }
    }
    console.log(rows.join('\n'));
  });

  // Open defects, kept visible: reported as TODO while they fail, and they show as passing once fixed.
  for (const [key, why] of Object.entries(KNOWN_UNSTABLE)) {
    const [id, k] = key.split(' ');
    test(`${id} ${k} at twice the size within 3%`, { todo: why }, () => {
      const d = change(id, k);
      assert.ok(
        d !== null && Math.abs(d) <= 0.03,
        `${id}: ${k} ${d === null ? 'absent' : (d * 100).toFixed(1) + '%'}`,
      );
    });
  }
});

/** Knudtson's revised pairing, written out again: widest with narrowest, the middle one carried, until one. */
function knudtson(widths: number[], k: number): number {
  let w = [...widths].sort((a, b) => b - a);
  while (w.length > 1) {
    const next: number[] = [];
    let i = 0;
    let j = w.length - 1;
    while (i < j) next.push(k * Math.sqrt(w[i++] ** 2 + w[j--] ** 2));
    if (i === j) next.push(w[i]);
    w = next.sort((a, b) => b - a);
  }
  return w[0];
}

/**
 * Vessels crossing zone B found independently of the product's vessel graph: on nine circles every 0.05 disc
 * diameters through the zone, each run of mask (read bilinearly, at least one half) along a circle is where a vessel
 * crosses it, ended also where the reference label turns from artery to vein (two vessels side by side); a run on
 * the next circle out that overlaps a run (or lies within one radial step of it) continues that vessel. As the
 * protocol asks, a vessel crosses the zone from its inner margin (it is found on one of the two innermost circles),
 * through the middle circle; one that first appears further out branched inside the zone and is counted with its
 * trunk, whose width is then taken only on the circles before the branching. A vessel's width on a circle is the
 * chord of mask through the run's centre, perpendicular to the line through its centres on the neighbouring
 * circles; where a circle passes through a crossing (RITE marks its pixels) the chord spans two vessels and is left
 * out. The vessel's width is the median over its circles.
 */
function independentEquivalents(
  mask: Uint8Array,
  labels: Uint8Array,
  w: number,
  h: number,
  disc: { x: number; y: number; diameter: number },
): { crae: number | null; crve: number | null } {
  const at = (x: number, y: number): number => {
    const xi = Math.round(x);
    const yi = Math.round(y);
    return xi < 0 || yi < 0 || xi >= w || yi >= h ? -1 : yi * w + xi;
  };
  // The mask read as a continuous field, so a run or a chord ends where it falls through one half.
  const bilinear = (x: number, y: number): number => {
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    if (x0 < 0 || y0 < 0 || x0 + 1 >= w || y0 + 1 >= h) return 0;
    const fx = x - x0;
    const fy = y - y0;
    const m = (xx: number, yy: number): number => mask[yy * w + xx];
    return (
      (m(x0, y0) * (1 - fx) + m(x0 + 1, y0) * fx) * (1 - fy) +
      (m(x0, y0 + 1) * (1 - fx) + m(x0 + 1, y0 + 1) * fx) * fy
    );
  };
  type Run = { from: number; to: number; artery: number; vein: number; crossing: number; circle: number };
  const SPACING = 0.05;
  const radii = Array.from(
    { length: Math.round(0.4 / SPACING) + 1 },
    (_, k) => (1.05 + SPACING * k) * disc.diameter,
  );
  const steps = (r: number): number => Math.ceil(2 * Math.PI * r * 4);
  const point = (circle: number, a: number) => ({
    x: disc.x + radii[circle] * Math.cos(a),
    y: disc.y + radii[circle] * Math.sin(a),
  });
  const circles: Run[][] = radii.map((r, circle) => {
    const n = steps(r);
    const runs: Run[] = [];
    let cur: Run | null = null;
    for (let s = 0; s <= n; s++) {
      const a = (2 * Math.PI * s) / n;
      const { x, y } = point(circle, a);
      const i = at(x, y);
      const inside = i >= 0 && bilinear(x, y) >= 0.5;
      const label = inside ? labels[i] : -1;
      const other =
        cur && ((label === AV_LABEL.artery && cur.vein > 0) || (label === AV_LABEL.vein && cur.artery > 0));
      if (cur && (!inside || other)) {
        runs.push(cur);
        cur = null;
      }
      if (inside) {
        cur ??= { from: a, to: a, artery: 0, vein: 0, crossing: 0, circle };
        cur.to = a;
        if (label === AV_LABEL.artery) cur.artery++;
        if (label === AV_LABEL.vein) cur.vein++;
        if (label === AV_LABEL.crossing) cur.crossing++;
      }
    }
    if (cur) runs.push(cur);
    return runs;
  });
  const centre = (run: Run) => point(run.circle, (run.from + run.to) / 2);
  // Two runs on neighbouring circles are one vessel when they overlap along the circle, allowing the vessel one
  // radial step of drift (it crosses the circles at up to 45 degrees from the radius).
  const step = SPACING * disc.diameter;
  const continues = (inner: Run, outer: Run): boolean => {
    const r = radii[outer.circle];
    return outer.from * r <= inner.to * r + step && outer.to * r >= inner.from * r - step;
  };
  // Each run continues the vessel whose run on the circle before it overlaps, nearest pairs first. A run left over
  // that overlaps a vessel is a branch leaving it there; one that leaves a crossing (a run holding crossing pixels)
  // is the other vessel coming out of it, and is found where the crossing was.
  type Vessel = { runs: Run[]; start: number; trunkEnd: number; parent: Vessel | null };
  const vessels: Vessel[] = [];
  let open: Vessel[] = [];
  const mid = (x: Run): number => (x.from + x.to) / 2;
  for (const runs of circles) {
    const pairs: { v: Vessel; run: Run; d: number }[] = [];
    for (const vessel of open)
      for (const run of runs) {
        const last = vessel.runs[vessel.runs.length - 1];
        if (continues(last, run)) pairs.push({ v: vessel, run, d: Math.abs(mid(last) - mid(run)) });
      }
    pairs.sort((p, q) => p.d - q.d);
    const next = new Map<Run, Vessel>();
    const used = new Set<Vessel>();
    for (const { v: vessel, run } of pairs) {
      if (next.has(run) || used.has(vessel)) continue;
      vessel.runs.push(run);
      next.set(run, vessel);
      used.add(vessel);
    }
    for (const run of runs) {
      if (next.has(run)) continue;
      const from = pairs.filter((p) => p.run === run).map((p) => p.v);
      // A run left over beside a vessel of its class is a branch leaving it. Beside only a vessel of the other class
      // whose run held crossing pixels, it is the vessel that crossed it (arterioles cross venules), found where
      // that one was.
      const cls = (r: Run): number => Math.sign(r.artery - r.vein);
      const same = from.filter((p) => cls(p.runs[0]) !== -cls(run));
      const crossed = from.find((p) => {
        const [before, last] = [p.runs[p.runs.length - 2], p.runs[p.runs.length - 1]];
        return (before?.crossing || last.crossing) && cls(p.runs[0]) === -cls(run) && cls(run) !== 0;
      });
      const v: Vessel = {
        runs: [run],
        start: same[0]?.start ?? crossed?.start ?? run.circle,
        trunkEnd: Infinity,
        parent: same[0] ?? null,
      };
      for (const parent of same) parent.trunkEnd = Math.min(parent.trunkEnd, run.circle);
      vessels.push(v);
      next.set(run, v);
    }
    open = [...next.values()];
  }
  const classOf = (vessel: Vessel): number | null => {
    const artery = vessel.runs.reduce((sum, run) => sum + run.artery, 0);
    const vein = vessel.runs.reduce((sum, run) => sum + run.vein, 0);
    return artery > vein ? AV_LABEL.artery : vein > artery ? AV_LABEL.vein : null;
  };
  // The vessel's widths on its circles of radius below `end`, leaving out those through a crossing (RITE marks its
  // pixels).
  const widthsOf = (vessel: Vessel, cls: number, end: number): number[] => {
    // A chord ends where the mask does, or where it runs into a vessel of the other class lying alongside.
    const inVessel = (x: number, y: number): boolean =>
      bilinear(x, y) >= 0.5 &&
      labels[at(x, y)] !== (cls === AV_LABEL.artery ? AV_LABEL.vein : AV_LABEL.artery);
    const chordAt = (c: { x: number; y: number }, n: { x: number; y: number }): number => {
      let chord = 0;
      for (const side of [1, -1]) {
        let t = 0;
        while (t < 3 * step && inVessel(c.x + side * n.x * (t + 0.05), c.y + side * n.y * (t + 0.05)))
          t += 0.05;
        chord += t;
      }
      return chord;
    };
    const chain = vessel.runs;
    const widths: number[] = [];
    chain.forEach((run, k) => {
      if (radii[run.circle] >= end || run.crossing > 0) return;
      const c = centre(run);
      const p = centre(chain[Math.max(0, k - 1)]);
      const q = centre(chain[Math.min(chain.length - 1, k + 1)]);
      const len = Math.hypot(q.x - p.x, q.y - p.y);
      if (len === 0 || !inVessel(c.x, c.y)) return;
      // Across the line through the vessel's centres on the neighbouring circles; no wider than its cut along this
      // circle (a vessel crossing a circle cuts it at least its own width long).
      const cut = (run.to - run.from) * radii[run.circle] + 1 / 4;
      const across = Math.min(cut, chordAt(c, { x: -(q.y - p.y) / len, y: (q.x - p.x) / len }));
      // Across a band that chord is also its shortest. Much longer than the shortest, it ran along a vessel joining
      // this one there: the shortest chord is then the vessel's width.
      let shortest = Infinity;
      for (let deg = 0; deg < 180; deg += 5) {
        const a = (deg * Math.PI) / 180;
        shortest = Math.min(shortest, chordAt(c, { x: Math.cos(a), y: Math.sin(a) }));
      }
      widths.push(across <= 1.5 * shortest ? across : shortest);
    });
    return widths;
  };
  // The trunk of a vessel that branches inside the zone, measured clear of the branching: the vessel widens into its
  // branches over about its own width before they part.
  const trunkWidths = (vessel: Vessel, cls: number): number[] => {
    if (vessel.trunkEnd === Infinity) return widthsOf(vessel, cls, Infinity);
    const parting = radii[vessel.trunkEnd] - step / 2;
    const rough = widthsOf(vessel, cls, parting).sort((x, y) => x - y);
    return rough.length ? widthsOf(vessel, cls, parting - rough[rough.length >> 1]) : [];
  };
  const trunkMeasurable = (vessel: Vessel): boolean => {
    const cls = classOf(vessel);
    return cls !== null && trunkWidths(vessel, cls).length >= 2;
  };
  const a: number[] = [];
  const v: number[] = [];
  for (const vessel of vessels) {
    const last = vessel.runs[vessel.runs.length - 1].circle;
    const dd = (circle: number): number => radii[circle] / disc.diameter;
    if (dd(vessel.start) > 1.1 + 1e-6 || dd(last) < 1.25 - 1e-6 || dd(last) - dd(vessel.start) < 0.2 - 1e-6)
      continue;
    // A branch is counted with its trunk, unless the trunk is too short to measure inside the zone (it branched at
    // the zone's margin, as if before it).
    if (vessel.parent && trunkMeasurable(vessel.parent)) continue;
    const cls = classOf(vessel);
    if (cls === null) continue;
    const trunk = trunkWidths(vessel, cls);
    const widths = (trunk.length >= 2 ? trunk : widthsOf(vessel, cls, Infinity)).sort((x, y) => x - y);
    if (widths.length < 2) continue;
    const width = widths[widths.length >> 1];
    if (process.env.HC_DEBUG) {
      const c = centre(vessel.runs[0]);
      const deg = Math.round((Math.atan2(c.y - disc.y, c.x - disc.x) * 180) / Math.PI + 360) % 360;
      console.log(`${cls === AV_LABEL.artery ? 'artery' : 'vein'} at ${deg} degrees: ${width.toFixed(2)} px`);
    }
    (cls === AV_LABEL.artery ? a : v).push(width);
  }
  const six = (x: number[]) => [...x].sort((p, q) => q - p).slice(0, 6);
  return {
    crae: a.length >= 6 ? knudtson(six(a), 0.88) : null,
    crve: v.length >= 6 ? knudtson(six(v), 0.95) : null,
  };
}

describe('hand-check: CRAE and CRVE by an independent implementation', () => {
  const discs = new Map(
    readFileSync(path.join(DATA, 'DRIVE-OD', 'od_centroids_DERIVED.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','))
      .map((c) => [c[0], { x: Number(c[1]), y: Number(c[2]), diameter: Number(c[4]) }]),
  );
  // The first three DRIVE test images where both find six arterioles and six venules. Both follow the protocol (the
  // six widest vessels crossing zone B from its inner margin, a vessel branching in the zone measured on its trunk,
  // crossing vessels kept apart) by their own means, so they agree closely but not exactly: where a vessel branches
  // just inside the zone's margin (DRIVE 04's widest venule) the engine still finds a trunk to measure and this count
  // takes the two branches, 7.5% on CRVE. Held to 8%; the figures are printed.
  const TOLERANCE = 0.08;
  test('on three DRIVE test images the engine and the independent count agree within 8%', async () => {
    const rows: string[] = [];
    let compared = 0;
    for (let n = 1; n <= 20 && compared < 3; n++) {
      const id = String(n).padStart(2, '0');
      const ref = await readImage(path.join(DATA, 'DRIVE', 'test', '1st_manual', `${id}_manual1.gif`));
      const avRef = decodeAvLabels(await readImage(path.join(DATA, 'RITE', 'av', 'test', `${id}_test.png`)));
      const { width: w, height: h } = ref;
      const mask = new Uint8Array(w * h);
      const av = new Uint8Array(w * h);
      for (let i = 0; i < w * h; i++) {
        mask[i] = ref.data[i * ref.channels] > 127 ? 1 : 0;
        if (mask[i] && avRef[i] === AV_LABEL.artery) av[i] = 1;
        else if (mask[i] && avRef[i] === AV_LABEL.vein) av[i] = 2;
      }
      const disc = discs.get(`${id}_test`)!;
      const mine = independentEquivalents(mask, avRef, w, h, disc);
      if (mine.crae === null || mine.crve === null) continue;
      const engine = measureImage({ width: w, height: h, mask, av, disc, draws: 50 });
      if (engine.crae.value === null || engine.crve.value === null) continue;
      compared++;
      // The engine reports disc diameters; the count works in pixels.
      const crae = (engine.crae.value * disc.diameter) / mine.crae - 1;
      const crve = (engine.crve.value * disc.diameter) / mine.crve - 1;
      rows.push(`${id}: CRAE ${(crae * 100).toFixed(1)}%, CRVE ${(crve * 100).toFixed(1)}%`);
      assert.ok(Math.abs(crae) <= TOLERANCE, `${id}: CRAE differs by ${(crae * 100).toFixed(1)}%`);
      assert.ok(Math.abs(crve) <= TOLERANCE, `${id}: CRVE differs by ${(crve * 100).toFixed(1)}%`);
    }
    console.log(rows.join('\n'));
    assert.equal(compared, 3, 'three images measured by both');
  });
});
