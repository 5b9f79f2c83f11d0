// `retina measure`: vessel measures (CRAE, CRVE, AVR, calibre, tortuosity, fractal dimension, density) with units
// and 95% intervals for fundus photographs, after segmenting them and finding their arteries, veins and disc.
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { flag, num, parseCommand, printJson, requireStr, str } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { batchExit, runBatch, type Batch } from './batch.js';
import { MEASURES_CSV, inputFiles, outputStem, outputStems } from './input-files.js';
import { mergeMeasuresCsv, type MergedCsv } from './measures-csv-merge.js';
import { plural } from '../../shared/plural.js';
import { openCommandModels } from './command-models.js';
import { assertOutFolder } from './out-folder.js';
import { otherSource, sourcePath } from './replaced-results.js';
import { readPhotograph } from '../ml/io/image-io.js';
import { readGivenAv, readGivenMask } from './measure-maps.js';
import { dicomHeader } from '../ml/io/dicom-pixels.js';
import { clinicalFromFileName } from '../store/file-name-clinical.js';
import { recordedEye, recordedEyeWarnings } from './recorded-eye.js';
import { segmentImage } from '../ml/infer.js';
import { analyseAnatomy, anatomyWarnings } from '../ml/anatomy/anatomy-models.js';
import { measureSegmentation } from '../ml/measure/photograph-measures.js';
import { measuresCsv, measuresJson } from '../../shared/measure/measure-table.js';
import { withScaleSource, type ImageMeasures } from '../../shared/measure/measures.js';
import { FileGroup, makeOutputDir, writeFileAtomic } from '../node/atomic-fs.js';
import { measureReportHtml } from './measure-report.js';
import { photographQuality } from '../ml/measure/photograph-quality.js';
import { gradabilityLine, judgeGradability, withGradability } from '../../shared/measure/gradability.js';

const HELP = `
Usage: retina measure <images or folders...> --out DIR [options]

Segments each photograph (vessels, arteries and veins, optic disc) and measures its vessels (a folder stands for
the image files directly inside it). Writes
DIR/<stem>_measures.json and one DIR/measures.csv over all images (and DIR/<stem>_report.html with --report);
the CSV keeps the rows of images measured into DIR before, an image measured again replacing its row (another
folder's photograph of the same name replaces them too, with a warning naming both: each _measures.json records its
photograph's path as typed, "input", and absolute, "source"). Every measure is {value, unit, ci95: [low, high]};
one that cannot be measured (no disc found, fewer than six arterioles in zone B, ...) has value null and a reason.
Each image's "quality" says whether it is gradable and why not: a photograph that is black, blown out, blurred
past its vessels or shows no vessel tree (not a fundus photograph) has every measure withheld ("ungradable
photograph: ..."); lesser doubts (little fine detail, some glare) are warnings beside the values. A multi-page
TIFF or animated GIF is measured at its first page, with a warning on stderr saying how many pages it holds.

Measures: crae, crve, avr (Knudtson's revised formulas, zone B = 0.5-1 disc diameter from the disc margin) and
their zone-C variants (0.5-2); calibre (mean width, edge to edge); tortuosity (distance factor) and
tortuosityDensity (Grisan 2008); fractalDimension (box counting); vesselDensity; the artery and vein variants.
Units: micrometres when the pixel size is known (--pixel-size or --field-angle, not both; a DICOM photograph's own
pixel spacing or field of view when neither is given), otherwise disc diameters (DD).
Intervals re-measure plausible versions of the segmentation (the probability map cut within +-0.1 of the
threshold), of each vessel's width and of its artery/vein label (flipped with the classifier's own odds).

Options:
  --out DIR            output folder (created if needed)
  --pixel-size UM      micrometres per pixel (e.g. from DICOM pixel spacing)
  --field-angle DEG    the camera's field angle across the aperture (45 for most fundus cameras); gives micrometres
  --mask FILE          measure this vessel mask (e.g. a corrected one) instead of the prediction (one input only)
  --av FILE            artery/vein map (red artery, blue vein) instead of the prediction (one input only)
  --model DIR          vessel model (default: the bundled one, or $RETINA_MODEL)
  --av-model DIR       artery/vein model (default: the bundled one)
  --disc-model DIR     optic-disc model (default: the bundled one)
  --engine NAME        onnx | tfjs
  --threads N          ONNX Runtime threads (default: all cores)
  --draws N            Monte Carlo draws for the intervals (default 400)
  --json               print every image's measures as JSON on stdout
  --report             also write DIR/<stem>_report.html: the photograph with its vessels, disc, zones and the
                       twelve CRAE/CRVE vessels, every measure with its interval, plots (self-contained; prints on A4)
`;

/** Below this many pixels a side there is no vessel tree to measure (and the graph's windows do not fit). */
const MIN_SIDE = 32;

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    {
      out: { type: 'string' },
      'pixel-size': { type: 'string' },
      'field-angle': { type: 'string' },
      mask: { type: 'string' },
      av: { type: 'string' },
      model: { type: 'string' },
      'av-model': { type: 'string' },
      'disc-model': { type: 'string' },
      engine: { type: 'string' },
      threads: { type: 'string' },
      draws: { type: 'string' },
      json: { type: 'boolean' },
      report: { type: 'boolean' },
    },
    HELP,
    true,
  );
  if (!p) return EXIT.ok;
  const files = await inputFiles(p.positionals, (w) =>
    process.stderr.write(`retina measure: warning: ${w}\n`),
  );
  if (files.length === 0) throw new UsageError('no input images given');
  const outDir = requireStr(p, 'out');
  await assertOutFolder(outDir);
  const maskPath = str(p, 'mask');
  const avPath = str(p, 'av');
  if ((maskPath || avPath) && files.length > 1)
    throw new UsageError('--mask and --av apply to a single input image');
  const pixelSizeUm = num(p, 'pixel-size', { min: 0.01, max: 1000 });
  const fieldAngleDeg = num(p, 'field-angle', { min: 1, max: 250 });
  // Two answers to one question: which was meant cannot be told, so neither is dropped silently.
  if (pixelSizeUm !== undefined && fieldAngleDeg !== undefined)
    throw new UsageError('--pixel-size and --field-angle both give the scale: give only one');
  const draws = num(p, 'draws', { min: 20, max: 100000, integer: true });
  const stems = outputStems(files);
  const { model, anatomy, close } = await openCommandModels(p, { anatomy: true });
  await makeOutputDir(outDir);
  const rows: { image: string; width: number; height: number; measures: ImageMeasures }[] = [];
  // Ctrl+C stops between images; the CSV then holds the images measured.
  let batch: Batch<Record<string, unknown>>;
  try {
    batch = await runBatch('measure', files, async (file, i) => {
      const image = await readPhotograph(file);
      if (image.width < MIN_SIDE || image.height < MIN_SIDE)
        throw new Error(
          `${file}: ${image.width}x${image.height} is too small to measure vessels in (${MIN_SIDE} px a side at the least)`,
        );
      const seg = await segmentImage(image, model.manifest, model.predictor, {});
      for (const w of seg.warnings) process.stderr.write(`retina measure: ${file}: warning: ${w}\n`);
      const mask = maskPath ? await readGivenMask(maskPath, image) : undefined;
      // A corrected mask is labelled artery/vein itself: the prediction's labels miss the vessels drawn in.
      const a = await analyseAnatomy(image, mask ? { ...seg, mask } : seg, anatomy);
      for (const w of anatomyWarnings(a)) process.stderr.write(`retina measure: ${file}: warning: ${w}\n`);
      const av = avPath ? await readGivenAv(avPath, image, mask ?? seg.mask) : undefined;
      // The flags win; else a DICOM photograph's header may know its scale.
      const header = await dicomHeader(file);
      const own = pixelSizeUm || fieldAngleDeg ? null : header;
      // An eye the file records that the disc and fovea contradict: said, and kept with the measures.
      const eyeWarnings = recordedEyeWarnings(await recordedEye(file, header), a?.disc.laterality ?? null);
      for (const w of eyeWarnings) process.stderr.write(`retina measure: ${file}: warning: ${w}\n`);
      // A DICOM's pixel spacing, when known, wins over its field of view.
      const scale = {
        pixelSizeUm: pixelSizeUm ?? own?.pixelSizeUm ?? null,
        pixelSizeNote: own?.pixelSizeNote ?? null,
        fieldAngleDeg: fieldAngleDeg ?? own?.fieldAngleDeg ?? null,
      };
      const measuredAs = measureSegmentation(seg, a, { mask, av, ...scale, draws });
      // What the segmentation and the artery/vein labelling warned of bears on the values too: kept with them, not
      // only on stderr. (The disc's warnings are the measures' own reasons and notes already.)
      const scaleSource: 'pixel size' | 'dicom' | 'field angle' | null = pixelSizeUm
        ? 'pixel size'
        : own?.pixelSizeUm
          ? 'dicom'
          : scale.fieldAngleDeg
            ? 'field angle'
            : null;
      // Judged on the photograph and the prediction already made (no second pass): an ungradable one's measures are
      // all withheld with the reason, said here once rather than once per measure.
      const quality = judgeGradability(photographQuality(image, seg));
      if (!quality.gradable || quality.warnings.length > 0)
        process.stderr.write(`retina measure: ${file}: ${gradabilityLine(quality)}\n`);
      const m: ImageMeasures = withGradability(
        withScaleSource(
          {
            ...measuredAs,
            notes: [...measuredAs.notes, ...seg.warnings, ...(a?.arteryVein.warnings ?? []), ...eyeWarnings],
          },
          scaleSource,
        ),
        quality,
      );
      // The absolute path too: a later run into this folder tells another folder's photograph of this name.
      const json = measuresJson(m, {
        input: file,
        source: sourcePath(file),
        width: image.width,
        height: image.height,
      });
      const out = join(outDir, `${stems[i]}_measures.json`);
      const earlier = await otherSource(out, file);
      const reportPath = flag(p, 'report') ? join(outDir, `${stems[i]}_report.html`) : null;
      // The measures and their report appear together, or neither does (an earlier run's pair stays whole).
      const outputs = new FileGroup();
      outputs.write(out, JSON.stringify(json, null, 2) + '\n');
      if (reportPath)
        outputs.write(
          reportPath,
          measureReportHtml({
            file,
            image,
            mask: mask ?? seg.mask,
            av: av ?? a?.arteryVein.labels ?? null,
            measures: m,
            maskLabel: maskPath ? `mask file ${basename(maskPath)}` : 'prediction',
            model: model.manifest.name,
            scaleSource,
            fieldAngleDeg: scale.fieldAngleDeg ?? null,
            // The header's patient and eye, else what the file name says (as the import reads them).
            patientId: header?.patientId ?? clinicalFromFileName(file).patientId,
            eye: header?.eye ?? clinicalFromFileName(file).eye,
          }),
        );
      await outputs.commit();
      if (earlier)
        process.stderr.write(
          `retina measure: warning: ${out} held the results of ${earlier}; replaced by those of ${file} ` +
            `(and its row of ${MEASURES_CSV})\n`,
        );
      rows.push({ image: file, width: image.width, height: image.height, measures: m });
      // Every file written is named, the report too (a pipeline reads --json to find them).
      return { ...json, output: out, ...(reportPath ? { report: reportPath } : {}) };
    });
  } finally {
    await close();
  }
  const csv = join(outDir, MEASURES_CSV);
  // A CSV that cannot be written fails the run, but the results (each image's own error too) are still printed.
  // A run that measured nothing leaves an earlier run's CSV as it was (its rows would otherwise be lost).
  let csvError: string | null = null;
  let merged: MergedCsv | null = null;
  if (rows.length === 0) {
    csvError = 'no image was measured: measures.csv not written (an earlier one there is kept)';
    process.stderr.write(`retina measure: ${csvError}\n`);
  } else {
    try {
      // Rows of images measured into this folder before are kept beside this run's (see measures-csv-merge).
      const earlier = await readFile(csv, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      });
      merged = mergeMeasuresCsv(earlier, measuresCsv(rows), outputStem);
      if (merged.replaced > 0)
        process.stderr.write(
          `retina measure: warning: ${csv} held ${plural(merged.replaced, 'image')} in another version's columns: ` +
            `replaced (their _measures.json files are kept)\n`,
        );
      await writeFileAtomic(csv, merged.csv);
    } catch (err) {
      csvError = (err as Error).message;
      process.stderr.write(`retina measure: ${csvError}\n`);
    }
  }
  if (flag(p, 'json'))
    printJson({
      csv: csvError ? null : csv,
      ...(csvError ? { csvError } : {}),
      ...(batch.interrupted ? { interrupted: true } : {}),
      results: batch.results,
    });
  else if (!csvError) {
    const kept = merged?.kept ? ` (${plural(merged.kept, 'earlier image')} kept)` : '';
    process.stderr.write(`measured ${rows.length} of ${files.length} images -> ${csv}${kept}\n`);
  }
  return csvError && batchExit(batch) === EXIT.ok ? EXIT.failure : batchExit(batch);
}
