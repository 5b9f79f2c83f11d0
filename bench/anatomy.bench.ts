// Anatomy benchmark (issue 15's figures): artery/vein accuracy and coverage on the reference's artery and vein
// centreline pixels (RITE test, LES-AV's held-out half), with and without the per-segment vote; optic-disc centre
// and diameter against the reference masks (DRIVE test, the held-out quarters of DRIONS-DB and AV-WIDE), with the
// fovea and laterality found; and `retina segment --av` end to end on a 3504x2336 JPEG, as a user runs it.
// Figures only, nothing is asserted. Needs ../shared/datasets.
// Usage: npm run bench:anatomy [-- --only av|disc|time] [--av-model DIR] [--disc-model DIR]
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { datasetsRoot, resourcesDir } from '../main/node/package-root.js';
import { openModel } from '../main/ml/model/model-loader.js';
import { readBinaryMap, readImage } from '../main/ml/io/image-io.js';
import { openAnatomyModel } from '../main/ml/anatomy/anatomy-models.js';
import { arteryVeinSplits, opticDiscSplits } from '../main/ml/anatomy/anatomy-datasets.js';
import { framePhotograph } from '../main/ml/anatomy/anatomy-inputs.js';
import { decodeAvLabels } from '../main/ml/anatomy/av-labels.js';
import { addScores, classifyArteryVein, scoreArteryVein, type AvScore } from '../main/ml/anatomy/artery-vein.js';
import { locateDisc } from '../main/ml/anatomy/optic-disc.js';
import { discError, referenceDisc } from '../main/ml/anatomy/train-optic-disc.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    'av-model': { type: 'string' },
    'disc-model': { type: 'string' },
    data: { type: 'string' },
  },
});
const data = values.data ?? datasetsRoot();
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

async function arteryVein(): Promise<void> {
  const vessel = await openModel(undefined);
  const av = await openAnatomyModel('artery-vein', values['av-model']);
  console.log('\nArtery/vein on reference centreline pixels (crossings and uncertain excluded)');
  console.log('| images | n | accuracy (vote) | coverage | accuracy (pixel) | accuracy, network on reference vessels |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, refs] of Object.entries(arteryVeinSplits(data).test)) {
    let vote: AvScore = { reference: 0, labelled: 0, correct: 0 };
    let pixel = vote;
    let oracle = vote;
    for (const ref of refs) {
      const f = await framePhotograph(ref, vessel);
      const reference = decodeAvLabels(await readImage(ref.avPath!));
      const { width, height } = f.image;
      const voted = await classifyArteryVein(f.image, f.seg, av);
      const own = await classifyArteryVein(f.image, f.seg, av, { segmentVote: false });
      vote = addScores(vote, scoreArteryVein(voted.labels, reference, width, height));
      pixel = addScores(pixel, scoreArteryVein(own.labels, reference, width, height));
      // The network's labels on the reference's own vessels: what it would score with a perfect vessel mask.
      const onRef = Uint8Array.from(reference, (v, i) => (v ? (own.artery[i] >= 0.5 ? 1 : 2) : 0));
      oracle = addScores(oracle, scoreArteryVein(onRef, reference, width, height));
    }
    const acc = (s: AvScore) => s.correct / Math.max(1, s.labelled);
    console.log(
      `| ${name} | ${refs.length} | ${acc(vote).toFixed(4)} | ${pct(vote.labelled / vote.reference)} | ` +
        `${acc(pixel).toFixed(4)} | ${acc(oracle).toFixed(4)} |`,
    );
  }
  await av.predictor.dispose();
  await vessel.predictor.dispose();
}

async function opticDisc(): Promise<void> {
  const vessel = await openModel(undefined);
  const disc = await openAnatomyModel('optic-disc', values['disc-model']);
  console.log('\nOptic disc against the reference masks (centre error in reference disc diameters)');
  console.log('| images | n | centre <= 0.25 DD | diameter within 15% | median centre error | worst | fovea found | L / R / unknown |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [name, refs] of Object.entries(opticDiscSplits(data).test)) {
    const errors: number[] = [];
    let sizes = 0;
    let foveae = 0;
    const sides = { L: 0, R: 0, unknown: 0 };
    for (const ref of refs) {
      const f = await framePhotograph(ref, vessel);
      const mask = await readBinaryMap(ref.discPath!, f.image);
      const r = await locateDisc(f.image, f.seg, disc);
      const e = discError(r.disc, referenceDisc(mask.data, mask.width)!);
      errors.push(e.centre);
      if (Math.abs(e.diameter) <= 0.15) sizes++;
      if (r.fovea) foveae++;
      sides[r.laterality ?? 'unknown']++;
    }
    const sorted = [...errors].sort((a, b) => a - b);
    console.log(
      `| ${name} | ${refs.length} | ${pct(errors.filter((e) => e <= 0.25).length / refs.length)} | ` +
        `${pct(sizes / refs.length)} | ${sorted[Math.floor(sorted.length / 2)].toFixed(3)} | ` +
        `${sorted[sorted.length - 1].toFixed(3)} | ${foveae}/${refs.length} | ${sides.L} / ${sides.R} / ${sides.unknown} |`,
    );
  }
  await disc.predictor.dispose();
  await vessel.predictor.dispose();
}

/** `retina segment --av` on a 3504x2336 JPEG (the CC0 sample upsampled onto a 3:2 frame), as a fresh process. */
async function endToEnd(): Promise<void> {
  const sharp = (await import('sharp')).default;
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-anatomy-bench-'));
  try {
    const input = path.join(dir, 'camera-3504x2336.jpg');
    await sharp(path.join(resourcesDir(), 'samples', 'fundus-normal-left-eye-cc0.jpg'))
      .resize(3504, 2336, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
      .jpeg({ quality: 90 })
      .toFile(input);
    const cli = path.join(resourcesDir(), '..', 'bin', 'retina.mjs');
    console.log('\n`retina segment --av` on a 3504x2336 JPEG, a fresh process each run (2 ONNX threads)');
    const times: number[] = [];
    for (let run = 0; run < 3; run++) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [cli, 'segment', input, '--out', dir, '--av', '--threads', '2'], {
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`retina segment --av failed: ${r.stderr}`);
      times.push((performance.now() - t0) / 1000);
    }
    console.log(`runs: ${times.map((t) => `${t.toFixed(2)} s`).join(', ')}; median ${[...times].sort()[1].toFixed(2)} s`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const only = values.only;
if (!only || only === 'av') await arteryVein();
if (!only || only === 'disc') await opticDisc();
if (!only || only === 'time') await endToEnd();
