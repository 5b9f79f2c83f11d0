// Anatomy benchmark (issue 15's figures): artery/vein accuracy and coverage on the reference's artery and vein
// centreline pixels (RITE test, LES-AV's held-out half, and the validation images), with and without the
// per-segment vote; optic-disc centre and diameter against the reference masks (DRIVE test, the held-out quarters
// of DRIONS-DB and AV-WIDE, and the validation images), with the fovea and laterality found; the same photographs
// cut to leave their disc out, where a disc found is a false one; and `retina segment --av` end to end on a
// 3504x2336 JPEG, as a user runs it.
// Figures only, nothing is asserted. The av and disc parts need ../shared/datasets (or RETINA_DATASETS, --data DIR).
// Usage: npm run bench:anatomy [-- --only av|disc|time] [--av-model DIR] [--disc-model DIR] [--data DIR]
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { datasetsRoot, resourcesDir } from '../main/node/package-root.js';
import { openModel } from '../main/ml/model/model-loader.js';
import { openAnatomyModel } from '../main/ml/anatomy/anatomy-models.js';
import {
  ARTERY_VEIN_DATASETS,
  arteryVeinSplits,
  OPTIC_DISC_DATASETS,
  opticDiscSplits,
} from '../main/ml/anatomy/anatomy-datasets.js';
import {
  arteryVeinTable,
  evaluateArteryVein,
  evaluateNoDisc,
  evaluateOpticDisc,
  opticDiscMisses,
  opticDiscTable,
} from '../main/ml/anatomy/evaluate-anatomy.js';
import { missingDatasets, skippedLine } from './datasets-needed.js';
import { benchArgs, oneOf } from './bench-args.js';

const USAGE =
  'Usage: npm run bench:anatomy [-- --only av|disc|time] [--av-model DIR] [--disc-model DIR] [--data DIR]';
const values = benchArgs('anatomy', USAGE, {
  only: { type: 'string' },
  'av-model': { type: 'string' },
  'disc-model': { type: 'string' },
  data: { type: 'string' },
});
const only = oneOf('anatomy', USAGE, 'only', values.only, ['av', 'disc', 'time']);
const data = values.data ?? datasetsRoot();

async function arteryVein(): Promise<void> {
  const missing = missingDatasets(data, ARTERY_VEIN_DATASETS);
  if (missing.length > 0) return console.log(skippedLine('artery/vein', data, missing));
  const vessel = await openModel(undefined);
  const av = await openAnatomyModel('artery-vein', values['av-model']);
  console.log('\nArtery/vein on the reference centreline pixels (crossings and uncertain excluded)');
  const splits = arteryVeinSplits(data);
  // The validation images too: the test-time zooms were chosen on them (the vote's couplings on them and training).
  const sets = { validation: splits.validation, ...splits.test };
  const rows = [];
  for (const [name, refs] of Object.entries(sets)) {
    rows.push(await evaluateArteryVein(name, refs, vessel, av));
  }
  console.log(arteryVeinTable(rows).join('\n'));
  await av.predictor.dispose();
  await vessel.predictor.dispose();
}

async function opticDisc(): Promise<void> {
  const missing = missingDatasets(data, OPTIC_DISC_DATASETS);
  if (missing.length > 0) return console.log(skippedLine('optic disc', data, missing));
  const vessel = await openModel(undefined);
  const disc = await openAnatomyModel('optic-disc', values['disc-model']);
  console.log('\nOptic disc against the reference masks (centre error in reference disc diameters)');
  const splits = opticDiscSplits(data);
  // The validation images too: the constants of the disc search are chosen on them and the training images.
  const sets = { validation: splits.validation, ...splits.test };
  const rows = [];
  for (const [name, refs] of Object.entries(sets)) {
    rows.push(await evaluateOpticDisc(name, refs, vessel, disc));
  }
  console.log(opticDiscTable(rows).join('\n'));
  const misses = opticDiscMisses(rows);
  if (misses.length)
    console.log(['\nOutside the goals (centre within 0.25 DD, diameter within 15%):', ...misses].join('\n'));
  console.log(
    '\nThe same photographs cut to the side away from their disc (one diameter clear): a disc found is false',
  );
  for (const name of ['DRIVE test', 'AV-WIDE held out']) {
    const r = await evaluateNoDisc(name, splits.test[name], vessel, disc);
    console.log(`${r.images}: false discs ${r.falseDiscs} of ${r.n}`);
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
    console.log(
      `runs: ${times.map((t) => `${t.toFixed(2)} s`).join(', ')}; median ${[...times].sort((a, b) => a - b)[1].toFixed(2)} s`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (!only || only === 'av') await arteryVein();
if (!only || only === 'disc') await opticDisc();
if (!only || only === 'time') await endToEnd();
