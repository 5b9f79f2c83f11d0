// `retina segment`: vessel masks and probability maps for fundus photographs of any size.
import { join } from 'node:path';
import { flag, num, parseCommand, printJson, requireStr, str } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { batchExit, isFailed, runBatch, type Batch } from './batch.js';
import { assertOutputsSpareInputs, inputFiles, outputStems } from './input-files.js';
import { openCommandModels } from './command-models.js';
import { assertOutFolder } from './out-folder.js';
import { encodeIndexedPng, encodePng, readPhotograph, readBinaryMap } from '../ml/io/image-io.js';
import { segmentImage, maskImage, probabilityImage, uncertaintyImage } from '../ml/infer.js';
import type { Gap } from '../ml/uncertainty/topology.js';
import { analyseAnatomy, anatomyWarnings, discJson } from '../ml/anatomy/anatomy-models.js';
import { AV_PALETTE } from '../ml/anatomy/artery-vein.js';
import { FileGroup, makeOutputDir } from '../node/atomic-fs.js';
import { recordedEye, recordedEyeWarnings } from './recorded-eye.js';
import { photographQuality } from '../ml/measure/photograph-quality.js';
import { judgeGradability, ungradableReason } from '../../shared/measure/gradability.js';

const HELP = `
Usage: retina segment <images or folders...> --out DIR [options]

For each input writes DIR/<stem>_mask.png (binary 0/255 at the model's threshold) and DIR/<stem>_prob.png
(16-bit probability map), both at the input's exact size. Reads TIFF, GIF, PNG, JPEG, WebP, BMP, PPM/PGM and
DICOM; a folder stands for the image files directly inside it.
With --uncertainty also DIR/<stem>_uncertainty.png: 16-bit, the probability that the mask is wrong at each
pixel (0 = certain, 65535 = most uncertain), and the image's expected F1, fragments and likely gaps in the JSON.
With --av also DIR/<stem>_av.png (RGB: (255,0,0) artery, (0,0,255) vein, (0,0,0) background, stored as a
palette of those three colours; every pixel of the vessel mask is artery or vein) and DIR/<stem>_disc.json: {"disc": {"x", "y", "diameter"}, "fovea": {"x", "y",
"confidence"}, "laterality": "L" | "R" | null} in the input's pixels (null where not found), with "warnings"
when there are any (no disc found; a disc cut off by the field's edge, whose diameter is then too small; a
photograph without colour, whose artery/vein labels are less reliable; an eye named by the DICOM header or the
file name that the disc and fovea contradict, as in a mirrored or rotated photograph).
Warnings about an input itself (no field-of-view edge found; a low-resolution field enlarged more than 2x; a
picture 'retina measure' would find ungradable, such as a black frame, whose mask is no vessel tree; a
multi-page TIFF or animated GIF, of which only the first page is segmented) are printed on stderr and listed under "warnings" in the --json summary; the input is still segmented.

Options:
  --out DIR          output folder (created if needed)
  --model DIR        model directory (default: the bundled default model, or $RETINA_MODEL)
  --engine NAME      onnx | tfjs (default: onnx when the model has an ONNX export)
  --threads N        ONNX Runtime threads (default: all cores)
  --fov FILE         FOV mask to use (one input only); default: derived from each image
  --threshold X      override the model's threshold
  --no-fov           do not zero the probability outside the field of view
  --uncertainty      also write the uncertainty map and the image's quality scores
  --av               also write the artery/vein map and the optic disc, fovea and laterality
  --av-model DIR     artery/vein model (default: the bundled one)
  --disc-model DIR   optic-disc model (default: the bundled one)
  --json             print a JSON summary on stdout
`;

/** `<stem>_disc.json`: the disc, fovea and laterality, with the anatomy's warnings when there are any. */
type DiscRecord = ReturnType<typeof discJson> & { warnings?: string[] };

/** One photograph's outputs, as the --json summary lists them. */
interface Segmented {
  input: string;
  mask: string;
  prob: string;
  uncertainty?: string;
  quality?: { expectedF1: number; meanUncertainty: number; fragments: number; gaps: Gap[] };
  av?: string;
  disc?: string;
  anatomy?: DiscRecord;
  width: number;
  height: number;
  seconds: number;
  vesselFraction: number;
  warnings?: string[];
}

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    {
      out: { type: 'string' },
      model: { type: 'string' },
      engine: { type: 'string' },
      threads: { type: 'string' },
      fov: { type: 'string' },
      threshold: { type: 'string' },
      'no-fov': { type: 'boolean' },
      uncertainty: { type: 'boolean' },
      av: { type: 'boolean' },
      'av-model': { type: 'string' },
      'disc-model': { type: 'string' },
      json: { type: 'boolean' },
    },
    HELP,
    true,
  );
  if (!p) return EXIT.ok;
  const files = await inputFiles(p.positionals, (w) =>
    process.stderr.write(`retina segment: warning: ${w}\n`),
  );
  if (files.length === 0) throw new UsageError('no input images given');
  const outDir = requireStr(p, 'out');
  await assertOutFolder(outDir);
  const fovPath = str(p, 'fov');
  if (fovPath && files.length > 1) throw new UsageError('--fov applies to a single input image');
  const stems = outputStems(files);
  const suffixes = [
    '_mask.png',
    '_prob.png',
    ...(flag(p, 'uncertainty') ? ['_uncertainty.png'] : []),
    ...(flag(p, 'av') ? ['_av.png', '_disc.json'] : []),
  ];
  assertOutputsSpareInputs(
    files,
    stems.flatMap((s) => suffixes.map((x) => join(outDir, s + x))),
  );

  const { model, anatomy, close } = await openCommandModels(p, {
    anatomy: flag(p, 'av'),
    check(m) {
      if (flag(p, 'uncertainty') && !m.manifest.uncertainty)
        throw new UsageError(
          `model '${m.manifest.name}' has no uncertainty head: fit one with 'retina calibrate --model ${m.dir}'`,
        );
    },
  });
  await makeOutputDir(outDir);
  // Ctrl+C stops between images: every file written is whole, and the summary below names them.
  let batch: Batch<Segmented>;
  try {
    batch = await runBatch('segment', files, async (file, i): Promise<Segmented> => {
      const started = performance.now();
      const image = await readPhotograph(file);
      const fov = fovPath ? await readBinaryMap(fovPath, image) : undefined;
      const seg = await segmentImage(image, model.manifest, model.predictor, {
        fov,
        maskOutsideFov: !flag(p, 'no-fov'),
        threshold: num(p, 'threshold', { min: 0, max: 1 }),
        uncertainty: flag(p, 'uncertainty'),
      });
      // A picture measure would withhold (a black frame, a featureless one) is said here too: its mask is what the
      // network answered nothing with (vessels over 91% of a black frame), not a vessel tree.
      const quality = judgeGradability(photographQuality(image, seg));
      const inputWarnings = quality.gradable
        ? seg.warnings
        : [...seg.warnings, `${ungradableReason(quality)}: the mask is not a vessel tree`];
      for (const w of inputWarnings) process.stderr.write(`retina segment: ${file}: warning: ${w}\n`);
      const maskPath = join(outDir, `${stems[i]}_mask.png`);
      const probPath = join(outDir, `${stems[i]}_prob.png`);
      const u = seg.uncertainty;
      const uncertaintyPath = u ? join(outDir, `${stems[i]}_uncertainty.png`) : null;
      let anatomyOut: { av: string; disc: string; anatomy: DiscRecord } | null = null;
      // The files compress on libuv's threads while the anatomy models run here; they appear together when all
      // are written, or none of them does (an earlier run's set stays whole).
      const outputs = new FileGroup();
      try {
        outputs.write(probPath, encodePng(probabilityImage(seg)));
        outputs.write(maskPath, encodePng(maskImage(seg)));
        if (u && uncertaintyPath)
          outputs.write(uncertaintyPath, encodePng(uncertaintyImage(u.map, seg.width, seg.height)));
        if (anatomy) {
          const a = await analyseAnatomy(image, seg, anatomy);
          // An eye the file records and the disc and fovea contradict is said, neither overriding the other.
          const warnings = [
            ...anatomyWarnings(a),
            ...recordedEyeWarnings(await recordedEye(file), a.disc.laterality),
          ];
          for (const w of warnings) process.stderr.write(`retina segment: ${file}: warning: ${w}\n`);
          const avPath = join(outDir, `${stems[i]}_av.png`);
          const discPath = join(outDir, `${stems[i]}_disc.json`);
          // A palette PNG: the same black, red and blue pixels as RGB, a twelfth of the bytes to filter and pack.
          outputs.write(avPath, encodeIndexedPng(a.arteryVein.labels, seg.width, seg.height, AV_PALETTE));
          const d = discJson(a.disc);
          // The warnings travel with the file (a disc cut off by the field's edge has too small a diameter; a
          // photograph without colour has less reliable artery/vein labels).
          const record = warnings.length ? { ...d, warnings } : d;
          outputs.write(discPath, JSON.stringify(record, null, 2) + '\n');
          // The summary repeats the disc JSON, warnings included, for a reader of --json alone.
          anatomyOut = { av: avPath, disc: discPath, anatomy: record };
        }
      } catch (err) {
        await outputs.discard();
        throw err;
      }
      await outputs.commit();
      let vessels = 0;
      for (let k = 0; k < seg.mask.length; k++) vessels += seg.mask[k];
      return {
        ...(anatomyOut ?? {}),
        input: file,
        mask: maskPath,
        prob: probPath,
        ...(u && uncertaintyPath
          ? {
              uncertainty: uncertaintyPath,
              quality: {
                expectedF1: u.expectedF1,
                meanUncertainty: u.meanUncertainty,
                fragments: u.fragments,
                gaps: u.gaps,
              },
            }
          : {}),
        width: seg.width,
        height: seg.height,
        seconds: (performance.now() - started) / 1000,
        vesselFraction: vessels / seg.mask.length,
        ...(inputWarnings.length ? { warnings: inputWarnings } : {}),
      };
    });
  } finally {
    await close();
  }
  if (flag(p, 'json'))
    printJson({
      model: model.dir,
      engine: model.predictor.engine,
      threshold: model.manifest.threshold,
      ...(batch.interrupted ? { interrupted: true } : {}),
      results: batch.results,
    });
  else
    for (const r of batch.results)
      if (!isFailed(r)) {
        const extra = r.quality
          ? `, ${r.uncertainty} (expected F1 ${r.quality.expectedF1.toFixed(3)}, ${r.quality.gaps.length} likely gaps)`
          : '';
        // Every file written is named, the anatomy maps too (a user reads this line to find them).
        const anatomyFiles = r.av ? `, ${r.av}, ${r.disc}` : '';
        process.stderr.write(
          `${r.input} -> ${r.mask}, ${r.prob}${extra}${anatomyFiles} (${r.seconds.toFixed(2)} s)\n`,
        );
      }
  return batchExit(batch);
}
