// The `retina` command end to end, as a user runs it: real DRIVE images, a real (tiny, quickly trained) model,
// real files written. Bad input must give a one-line error, a non-zero exit and no half-written output.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { readImage } from '../../main/ml/io/image-io.js';
import { openStore } from '../../main/store/open-store.js';
import { registerModel } from '../../main/store/models.js';
import { writeDicom } from './dicom-fixture.js';
import { retinaCli, retinaInterruptedWhen as interruptWhen } from '../support/retina-cli.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const datasets = process.env.RETINA_DATASETS ?? path.resolve(repo, '../shared/datasets');
const drive = path.join(datasets, 'DRIVE');

const retina = (args: string[]) => retinaCli(...args);

/** The last non-empty stderr line: the one-line error. */
function errorLine(stderr: string): string {
  return stderr.trim().split('\n').pop() ?? '';
}

let tmp: string;
let generic: string;
let model: string;

/** A generic-layout dataset of 3 DRIVE training images (copied to a temp folder, never into the repo). */
async function makeGenericDataset(dir: string): Promise<void> {
  for (const sub of ['images', 'masks', 'fov']) await mkdir(path.join(dir, sub), { recursive: true });
  for (const id of ['21', '22', '23']) {
    await copyFile(
      path.join(drive, 'training', 'images', `${id}_training.tif`),
      path.join(dir, 'images', `${id}.tif`),
    );
    await copyFile(
      path.join(drive, 'training', '1st_manual', `${id}_manual1.gif`),
      path.join(dir, 'masks', `${id}.gif`),
    );
    await copyFile(
      path.join(drive, 'training', 'mask', `${id}_training_mask.gif`),
      path.join(dir, 'fov', `${id}.gif`),
    );
  }
}

const QUICK = ['--recipe', 'quick', '--epochs', '1', '--steps', '4', '--no-test'];

before(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'retina-cli-'));
  generic = path.join(tmp, 'generic');
  await makeGenericDataset(generic);
  model = path.join(tmp, 'model');
  const r = retina(['train', '--dataset', generic, '--out', model, ...QUICK]);
  assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

test('help and usage errors', () => {
  const top = retina(['--help']);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /segment/);
  for (const cmd of ['train', 'evaluate', 'segment', 'export', 'db']) {
    const r = retina([cmd, '--help']);
    assert.equal(r.code, 0, `${cmd} --help: ${r.stderr}`);
    assert.match(r.stdout, /Usage: retina/);
  }
  assert.equal(retina(['frobnicate']).code, 2);
  // The version, as any command-line tool gives it; `retina help segment` is segment's own help.
  const version = retina(['--version']);
  assert.equal(version.code, 0);
  const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string };
  assert.equal(version.stdout, `retina ${pkg.version}\n`);
  const helpSegment = retina(['help', 'segment']);
  assert.equal(helpSegment.code, 0);
  assert.equal(helpSegment.stdout, retina(['segment', '--help']).stdout);
  const bad = retina(['train', '--out', path.join(tmp, 'x'), '--dataset', generic, '--epochs', 'many']);
  assert.equal(bad.code, 2);
  assert.match(errorLine(bad.stderr), /--epochs expects an integer/);
  // A test split on its own is no training set: refused before anything is trained (it used to train on it and
  // then score the model on the same images as its "test" figure).
  const onTest = retina(['train', '--out', path.join(tmp, 'y'), '--dataset', path.join(drive, 'test')]);
  assert.equal(onTest.code, 1);
  assert.match(
    errorLine(onTest.stderr),
    /DRIVE\/test holds only a test split: train on the dataset's training images/,
  );
  assert.ok(!existsSync(path.join(tmp, 'y')));
});

test('train wrote a complete model directory with provenance and an ONNX export', async () => {
  const files = (await readdir(model)).sort();
  assert.deepEqual(files, ['model.onnx', 'retina-model.json', 'tfjs']);
  const manifest = JSON.parse(
    (await import('node:fs')).readFileSync(path.join(model, 'retina-model.json'), 'utf8'),
  ) as import('../../main/ml/types.js').ModelManifest;
  assert.equal(manifest.provenance.validationIds.length, 2);
  assert.equal(manifest.provenance.trainIds.length, 1);
  assert.ok(!manifest.provenance.trainIds.some((id) => manifest.provenance.validationIds.includes(id)));
  assert.ok(manifest.threshold > 0 && manifest.threshold < 1);
  assert.equal(manifest.provenance.validationCurve.length, 1);
  // The fingerprints of the photographs it learnt: a retrain from it knows their copies without the dataset.
  assert.deepEqual(
    Object.keys(manifest.sampleFingerprints ?? {}).sort(),
    [...manifest.provenance.trainIds, ...manifest.provenance.validationIds].sort(),
  );
  assert.equal(manifest.onnx?.opset, 17);
  // The worker count is part of what the seed reproduces: recorded.
  assert.ok(Number.isInteger(manifest.provenance.workers) && manifest.provenance.workers! >= 1);
  assert.ok(!existsSync(`${model}.checkpoint`), 'the checkpoint is removed once the model is written');
  // export --out into a folder not made yet makes it (it said "ENOENT: ... copyfile"); a folder is refused.
  const copy = path.join(tmp, 'exports', 'new', 'm.onnx');
  const exported = retina(['export', '--model', model, '--out', copy]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.ok(
    (await import('node:fs'))
      .readFileSync(copy)
      .equals((await import('node:fs')).readFileSync(path.join(model, 'model.onnx'))),
  );
  const folder = retina(['export', '--model', model, '--out', tmp]);
  assert.equal(folder.code, 2);
  assert.match(errorLine(folder.stderr), /is a folder: give the \.onnx file's path/);
});

test('evaluate --json reports both protocols, pooled and per image, for both engines alike', () => {
  const args = ['evaluate', '--model', model, '--dataset', generic, '--split', 'all', '--json'];
  const onnx = retina(args);
  assert.equal(onnx.code, 0, onnx.stderr);
  const report = JSON.parse(onnx.stdout);
  assert.equal(report.engine, 'onnx');
  assert.equal(report.images, 3);
  assert.equal(report.protocols.fov.pooled.protocol, 'fov');
  assert.equal(report.protocols.all.pooled.protocol, 'all');
  assert.equal(report.perImage.length, 3);
  // Counting all pixels includes the easy black surround: more pixels, and a higher accuracy than inside the FOV.
  assert.ok(report.protocols.all.pooled.pixels > report.protocols.fov.pooled.pixels);
  assert.ok(report.protocols.all.pooled.accuracy > report.protocols.fov.pooled.accuracy);
  const tfjs = JSON.parse(retina([...args, '--engine', 'tfjs']).stdout);
  assert.equal(tfjs.engine, 'tfjs');
  assert.ok(Math.abs(tfjs.protocols.fov.pooled.aucRoc - report.protocols.fov.pooled.aucRoc) < 1e-3);
});

test('segment takes a folder as the image files directly inside it, by name, naming photographs it cannot read; an empty one is a usage error', async () => {
  const folder = path.join(tmp, 'photos');
  await mkdir(path.join(folder, 'sub'), { recursive: true });
  const src = path.join(drive, 'test', 'images', '01_test.tif');
  for (const name of ['b-2.png', 'a-10.png'])
    await sharp(src)
      .extract({ left: 200, top: 200, width: 96, height: 96 })
      .png()
      .toFile(path.join(folder, name));
  await writeFile(path.join(folder, 'notes.txt'), 'not a photograph');
  // What macOS leaves beside a copied file on a USB stick: a hidden ._ file with an image's name.
  await writeFile(path.join(folder, '._a-10.png'), Buffer.alloc(4096));
  // An earlier run's output written into the same folder is not a photograph to segment again.
  await sharp(src)
    .extract({ left: 0, top: 0, width: 32, height: 32 })
    .png()
    .toFile(path.join(folder, 'a-9_mask.png'));
  await sharp(src).resize(64).avif().toFile(path.join(folder, 'phone.avif'));
  await copyFile(src, path.join(folder, 'sub', 'ignored.tif'));
  const out = path.join(tmp, 'seg-folder');
  const r = retina(['segment', folder, '--out', out, '--model', model, '--json']);
  assert.equal(r.code, 0, r.stderr);
  // A photograph in a format that is not read is said, with what to do; notes.txt is nobody's photograph.
  assert.match(
    r.stderr,
    /warning: .*photos: passing over 1 AVIF file; AVIF photographs are not read: convert them to JPEG, PNG or TIFF/,
  );
  assert.doesNotMatch(r.stderr, /notes\.txt/);
  assert.match(r.stderr, /warning: .*photos: passing over 1 map named like segment's outputs/);
  const summary = JSON.parse(r.stdout) as { results: { input: string }[] };
  assert.deepEqual(
    summary.results.map((x) => path.basename(x.input)),
    ['a-10.png', 'b-2.png'],
  );
  assert.deepEqual((await readdir(out)).sort(), [
    'a-10_mask.png',
    'a-10_prob.png',
    'b-2_mask.png',
    'b-2_prob.png',
  ]);
  await mkdir(path.join(tmp, 'no-photos'), { recursive: true });
  const empty = retina(['segment', path.join(tmp, 'no-photos'), '--out', out, '--model', model]);
  assert.equal(empty.code, 2);
  assert.match(errorLine(empty.stderr), /no-photos holds no image files/);
  await mkdir(path.join(tmp, 'phone-photos'), { recursive: true });
  await writeFile(path.join(tmp, 'phone-photos', 'IMG_0001.HEIC'), 'ftypheic');
  const heic = retina(['segment', path.join(tmp, 'phone-photos'), '--out', out, '--model', model]);
  assert.equal(heic.code, 2);
  assert.match(
    errorLine(heic.stderr),
    /phone-photos holds no image files that are read: 1 HEIC file; HEIC photographs/,
  );
});

test("segment: a folder's DICOM files without an extension are read, a file named twice is one input, and no output may overwrite an input", async () => {
  const folder = path.join(tmp, 'pacs');
  await mkdir(folder, { recursive: true });
  const src = path.join(drive, 'test', 'images', '01_test.tif');
  const { data, info } = await sharp(src)
    .extract({ left: 200, top: 200, width: 96, height: 96 })
    .raw()
    .toBuffer({ resolveWithObject: true });
  writeDicom(path.join(folder, 'IM000001'), {
    width: info.width,
    height: info.height,
    rgb: new Uint8Array(data),
  });
  await writeFile(path.join(folder, 'README'), 'no photograph, no extension');
  const out = path.join(tmp, 'seg-pacs');
  const r = retina([
    'segment',
    folder,
    path.join(folder, 'IM000001'),
    '--out',
    out,
    '--model',
    model,
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { results: { input: string }[] };
  assert.deepEqual(
    summary.results.map((x) => path.basename(x.input)),
    ['IM000001'],
  );
  assert.deepEqual((await readdir(out)).sort(), ['IM000001_mask.png', 'IM000001_prob.png']);

  // y_prob.png given as a photograph beside y.png, both written into their own folder: refused, nothing written.
  const own = path.join(tmp, 'own');
  await mkdir(own, { recursive: true });
  for (const name of ['y.png', 'y_prob.png'])
    await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
      .png()
      .toFile(path.join(own, name));
  const before = readFileSync(path.join(own, 'y_prob.png'));
  const clash = retina([
    'segment',
    path.join(own, 'y_prob.png'),
    path.join(own, 'y.png'),
    '--out',
    own,
    '--model',
    model,
  ]);
  assert.equal(clash.code, 2, clash.stderr);
  assert.match(
    errorLine(clash.stderr),
    /y_prob\.png would be overwritten by an output of this run: choose another --out/,
  );
  assert.deepEqual(readFileSync(path.join(own, 'y_prob.png')), before);
});

test('segment writes a 0/255 mask and a 16-bit probability map at the input size; bad files fail alone', async () => {
  const out = path.join(tmp, 'seg');
  const corrupt = path.join(tmp, 'corrupt.png');
  await writeFile(corrupt, Buffer.from('\x89PNG\r\n\x1a\nnot really a png'));
  const input = path.join(drive, 'test', 'images', '01_test.tif');
  const r = retina(['segment', input, corrupt, '--out', out, '--model', model, '--json']);
  assert.equal(r.code, 1, 'a failed input makes the exit code non-zero');
  assert.match(r.stderr, /corrupt\.png/);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.results.length, 2);
  assert.ok(summary.results[1].error.includes('corrupt.png'));
  const mask = await readImage(path.join(out, '01_test_mask.png'));
  const prob = await readImage(path.join(out, '01_test_prob.png'));
  assert.deepEqual([mask.width, mask.height, mask.channels, mask.bitDepth], [565, 584, 1, 8]);
  assert.deepEqual([prob.width, prob.height, prob.channels, prob.bitDepth], [565, 584, 1, 16]);
  assert.deepEqual(new Set(mask.data), new Set([0, 255]));
  // The mask is the probability map at the model's threshold.
  const threshold = summary.threshold as number;
  let disagree = 0;
  for (let i = 0; i < mask.data.length; i++) {
    const p = prob.data[i] / 65535;
    if (Math.abs(p - threshold) > 1e-4 && p >= threshold !== (mask.data[i] === 255)) disagree++;
  }
  assert.equal(disagree, 0);
  assert.deepEqual((await readdir(out)).sort(), ['01_test_mask.png', '01_test_prob.png']);
});

test('bad input: one-line errors, non-zero exit, nothing half-written', async () => {
  const missing = retina([
    'train',
    '--dataset',
    path.join(tmp, 'nope'),
    '--out',
    path.join(tmp, 'm1'),
    ...QUICK,
  ]);
  assert.equal(missing.code, 1);
  assert.match(errorLine(missing.stderr), /nope.*not found/);
  assert.ok(!existsSync(path.join(tmp, 'm1')));

  const empty = path.join(tmp, 'empty');
  await mkdir(empty);
  const e = retina(['train', '--dataset', empty, '--out', path.join(tmp, 'm2'), ...QUICK]);
  assert.equal(e.code, 1);
  assert.match(errorLine(e.stderr), /empty/);

  // A mask of the wrong size names the file and writes no model.
  const wrong = path.join(tmp, 'wrong');
  await makeGenericDataset(wrong);
  await sharp({ create: { width: 100, height: 80, channels: 3, background: { r: 0, g: 0, b: 0 } } })
    .png()
    .toFile(path.join(wrong, 'masks', '22.png'));
  await rm(path.join(wrong, 'masks', '22.gif'));
  const w = retina(['train', '--dataset', wrong, '--out', path.join(tmp, 'm3'), ...QUICK]);
  assert.equal(w.code, 1);
  assert.match(errorLine(w.stderr), /22\.png.*100x80/);

  // --init from a network of another shape is refused before any data is read (it failed on a layer's shape).
  const shape = retina([
    'train',
    '--dataset',
    generic,
    '--out',
    path.join(tmp, 'm4'),
    '--init',
    model,
    ...QUICK,
    '--depth',
    '3',
  ]);
  assert.equal(shape.code, 2, shape.stderr);
  assert.match(
    errorLine(shape.stderr),
    /--init .* is a depth 2, 8-filter network; --recipe quick trains a depth 3/,
  );
  assert.ok(!existsSync(path.join(tmp, 'm3')));
  assert.equal((await readdir(tmp)).filter((f) => f.includes('m3')).length, 0);

  // An unknown format and a broken model file.
  const txt = path.join(tmp, 'notes.png');
  await writeFile(txt, 'plain text');
  const u = retina(['segment', txt, '--out', path.join(tmp, 'seg2'), '--model', model]);
  assert.equal(u.code, 1);
  assert.match(errorLine(u.stderr), /notes\.png.*(unsupported|unrecognised)/);
  const broken = path.join(tmp, 'broken');
  await mkdir(broken);
  await copyFile(path.join(model, 'retina-model.json'), path.join(broken, 'retina-model.json'));
  await writeFile(path.join(broken, 'model.onnx'), Buffer.alloc(100, 7));
  const b = retina([
    'segment',
    path.join(drive, 'test', 'images', '01_test.tif'),
    '--out',
    path.join(tmp, 'seg3'),
    '--model',
    broken,
  ]);
  assert.equal(b.code, 1);
  assert.match(errorLine(b.stderr), /model\.onnx/);
  assert.ok(!existsSync(path.join(tmp, 'seg3', '01_test_mask.png')));

  // An output folder that cannot be made (a file stands in its path) is a usage error naming the file, before any
  // model loads (out-file-cli covers an --out that is the file itself).
  const blocked = path.join(tmp, 'notes.png', 'out');
  const o = retina(['segment', path.join(drive, 'test', 'images', '01_test.tif'), '--out', blocked]);
  assert.equal(o.code, 2);
  assert.match(
    o.stderr,
    new RegExp(
      `--out ${blocked.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} lies inside .*notes\\.png, a file, not a folder`,
    ),
  );
});

test('an interrupted training keeps its last epoch, writes no model, and --resume finishes it', async () => {
  const out = path.join(tmp, 'interrupted');
  const args = [
    'train',
    '--dataset',
    generic,
    '--out',
    out,
    '--recipe',
    'quick',
    '--epochs',
    '3',
    '--steps',
    '6',
    '--no-test',
  ];
  const { code, stderr } = await interruptWhen(args, /epoch 1\/3/);
  assert.equal(code, 130, stderr);
  assert.match(errorLine(stderr), /interrupted.*--resume/);
  assert.ok(!existsSync(out), 'no model directory after an interruption');
  assert.ok(existsSync(path.join(`${out}.checkpoint`, 'state.json')));
  // The same images in another folder are other data: refused (it went on, mixing two validation sets).
  const moved = path.join(tmp, 'generic-copy');
  await cp(generic, moved, { recursive: true });
  const elsewhere = retina([...args.map((a) => (a === generic ? moved : a)), '--resume']);
  assert.equal(elsewhere.code, 1, elsewhere.stderr);
  assert.match(
    errorLine(elsewhere.stderr),
    /was trained on .*, not .*generic-copy: resume with that --dataset/,
  );
  // Another worker count trains other weights from the same seed: refused before any data is read.
  const other = Math.min(2, cpus().length) === 1 ? '2' : '1';
  const workers = retina([...args, '--resume', '--workers', other]);
  assert.equal(workers.code, 1, workers.stderr);
  assert.match(
    errorLine(workers.stderr),
    new RegExp(`was trained with --workers \\d: resume with --workers`),
  );
  const resumed = retina([...args, '--resume']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming after epoch [12]/);
  const manifest = JSON.parse(
    (await import('node:fs')).readFileSync(path.join(out, 'retina-model.json'), 'utf8'),
  );
  assert.equal(manifest.provenance.validationCurve.length, 3);
});

test('Ctrl+C stops a batch between images: the images done are whole, the rest untouched', async () => {
  const inputs = path.join(tmp, 'batch');
  await mkdir(inputs, { recursive: true });
  const src = path.join(drive, 'test', 'images', '01_test.tif');
  for (let i = 1; i <= 12; i++)
    await copyFile(src, path.join(inputs, `eye${String(i).padStart(2, '0')}.tif`));
  const out = path.join(tmp, 'batch-out');
  const r = await interruptWhen(['segment', inputs, '--out', out, '--model', model], /\] 1\/12/);
  assert.equal(r.code, 130, r.stderr);
  const done = Number(/interrupted after (\d+) of 12 images/.exec(r.stderr)?.[1]);
  assert.ok(done >= 1 && done < 12, r.stderr);
  const written = (await readdir(out)).sort();
  assert.equal(written.length, 2 * done, written.join(' '));
  for (const f of written) {
    const png = await readImage(path.join(out, f));
    assert.deepEqual([png.width, png.height], [565, 584], f);
  }
});

test('Ctrl+C ends a command with nothing to finish at once, printing no results', async () => {
  const args = ['evaluate', '--model', model, '--dataset', drive, '--split', 'test', '--json'];
  const r = await interruptWhen(args, /\] 1\/20/);
  assert.equal(r.code, 130, r.stderr);
  assert.match(errorLine(r.stderr), /^retina: interrupted \(SIGINT\)$/);
  assert.equal(r.stdout, '', 'no results printed after the interruption');
});

test('a database used only from the command line: models list says what is used, retrain starts from the bundled model', async () => {
  const db = path.join(tmp, 'cli-only.db');
  assert.equal(retina(['db', 'init', '--db', db]).code, 0);
  const photo = path.join(drive, 'test', 'images', '01_test.tif');
  assert.equal(retina(['db', 'import', photo, '--db', db]).code, 0);
  const empty = retina(['models', 'list', '--db', db]);
  assert.equal(empty.code, 0, empty.stderr);
  assert.match(empty.stdout, /^no vessel models registered in this database yet: .*bundled/);
  // Before, this was a dead end: "no active model to retrain: promote a model first", with nothing to promote.
  const r = retina(['retrain', '--db', db]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /the bundled model default is this database's first active model/);
  assert.match(errorLine(r.stderr), /no new approved masks/);
  const listed = retina(['models', 'list', '--db', db]);
  assert.match(listed.stdout, /^\s*1 active\s+default .*\(promoted: first active model\)$/m);
  const unknown = retina(['models', 'frobnicate', '--db', db]);
  assert.equal(unknown.code, 2);
  assert.match(errorLine(unknown.stderr), /unknown action 'frobnicate' \(list, promote, rollback, keep\)/);
});

test('retrain from the command line: a candidate registered by hand from the bundled folder is not made the first active model', async () => {
  const db = path.join(tmp, 'cli-candidate.db');
  assert.equal(retina(['db', 'init', '--db', db]).code, 0);
  const store = openStore(db);
  try {
    registerModel(
      store,
      { name: 'my-candidate', dirPath: path.join(repo, 'resources', 'models', 'default'), architecture: {} },
      'me',
    );
  } finally {
    store.close();
  }
  const r = retina(['retrain', '--db', db]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /the bundled model default is this database's first active model/);
  const listed = retina(['models', 'list', '--db', db]);
  assert.match(listed.stdout, /^\s*\d+ active\s+default .*\(promoted: first active model\)$/m);
  assert.doesNotMatch(listed.stdout, /active\s+my-candidate/);
});

test('card: a dataset folder named on the command line must be there; --from-json needs a scored model', () => {
  const card = path.join(model, 'MODEL_CARD.md');
  const before = existsSync(card) ? readFileSync(card, 'utf8') : null;
  const typo = retina(['card', '--model', model, '--stare', path.join(tmp, 'STAREtypo')]);
  assert.equal(typo.code, 2, typo.stderr);
  assert.match(errorLine(typo.stderr), /--stare \S*STAREtypo: no such folder/);
  const lesav = retina(['card', '--model', model, '--lesav', tmp]);
  assert.equal(lesav.code, 2, lesav.stderr);
  assert.match(errorLine(lesav.stderr), /--lesav \S+: no split_test_rmaphoh\.txt there/);
  assert.equal(existsSync(card) ? readFileSync(card, 'utf8') : null, before, 'the card is untouched');
  // Trained with --no-test: never scored.
  const unscored = retina(['card', '--model', model, '--from-json']);
  assert.equal(unscored.code, 1);
  assert.match(
    errorLine(unscored.stderr),
    /evaluation\.json does not exist: the model has not been scored yet/,
  );
});

test('an anatomy model given where the vessel model goes is named for what it is', () => {
  const sample = path.join(repo, 'resources', 'samples', 'fundus-normal-left-eye-cc0.jpg');
  for (const [dir, flag] of [
    ['optic-disc', '--disc-model'],
    ['artery-vein', '--av-model'],
  ] as const) {
    const r = retina([
      'segment',
      sample,
      '--out',
      path.join(tmp, 'wrong-model'),
      '--model',
      path.join(repo, 'resources', 'models', dir),
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      errorLine(r.stderr),
      new RegExp(`is the ${dir} model, not a vessel model \\(give it with ${flag}\\)`),
    );
  }
  assert.ok(!existsSync(path.join(tmp, 'wrong-model')), 'nothing written');
});
