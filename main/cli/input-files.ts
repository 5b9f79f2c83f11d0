// The photographs a command is given: files as named, and a folder as the image files directly inside it (by name,
// hidden ones and segment's own output maps left out), so `retina segment photos/ --out out` works where no shell
// expands `photos/*.jpg`.
import { open, stat } from 'node:fs/promises';
import { folderEntries } from '../node/folder-entries.js';
import { fitStem, utf8Bytes } from '../node/file-name-fit.js';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { isDicom } from '../ml/io/dicom-pixels.js';
import { isPhotographName } from '../ml/data/dataset-layout.js';
import { unreadFormatAdvice, unreadFormatOfName } from '../ml/io/unread-formats.js';
import { plural } from '../../shared/plural.js';
import { UsageError } from './errors.js';

/** The maps `retina segment` writes: a folder that is also its --out holds them beside the photographs. */
const SEGMENT_OUTPUT = /_(mask|prob|uncertainty|av)\.png$/i;

/** Every name a command writes after an input's stem (segment's maps and anatomy, measure's results). */
export const OUTPUT_SUFFIXES = [
  '_mask.png',
  '_prob.png',
  '_uncertainty.png',
  '_av.png',
  '_disc.json',
  '_measures.json',
  '_report.html',
] as const;
/** The table `retina measure` writes over all its inputs. */
export const MEASURES_CSV = 'measures.csv';
const LONGEST_SUFFIX_BYTES = Math.max(...OUTPUT_SUFFIXES.map(utf8Bytes));

/**
 * Two names of one file, or of files the user cannot tell apart: compared in one Unicode form (a macOS name arrives
 * decomposed, the same name typed elsewhere composed; macOS takes them as one file) and without case (as macOS and
 * Windows do).
 */
const nameKey = (name: string): string => name.normalize('NFC').toLowerCase();

/** "3 HEIC files" (with the advice), for a folder's photographs in formats that are not read. */
function unreadSummary(names: readonly string[]): string {
  const byFormat = new Map<string, number>();
  for (const n of names) {
    const f = unreadFormatOfName(n)!;
    byFormat.set(f, (byFormat.get(f) ?? 0) + 1);
  }
  const counts = [...byFormat].map(([f, n]) => plural(n, `${f} file`)).join(', ');
  return `${counts}; ${unreadFormatAdvice([...byFormat.keys()].join(', '))}`;
}

/**
 * The files to process. A folder stands for the image files directly inside it; photographs beside them in a
 * format that is not read (HEIC, AVIF, ...) are passed to `warn`, or make the error when the folder has nothing else.
 */
export async function inputFiles(
  paths: readonly string[],
  warn: (message: string) => void = () => {},
): Promise<string[]> {
  const out: string[] = [];
  const named: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => null);
    if (!info?.isDirectory()) {
      // A missing or unreadable file is reported by the command with the rest of that input's errors.
      out.push(p);
      named.push(p);
      continue;
    }
    // Hidden files are nobody's photographs: macOS leaves a ._NAME.jpg beside each file it copies to a USB stick.
    const files = (await folderEntries(p))
      .filter((e) => e.kind === 'file' && !e.name.startsWith('.'))
      .map((e) => e.name);
    const outputs = files.filter((n) => SEGMENT_OUTPUT.test(n));
    // PACS and camera exports often name DICOM files without an extension (IM000001): read by their content.
    const unnamed = await dicomWithoutExtension(p, files);
    const images = files
      .filter((n) => (isPhotographName(n) && !SEGMENT_OUTPUT.test(n)) || unnamed.has(n))
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const unread = files.filter((n) => unreadFormatOfName(n) !== null);
    if (images.length === 0) {
      const why = unread.length > 0 ? `: ${unreadSummary(unread)}` : ' (its subfolders are not read)';
      throw new UsageError(`${p} holds no image files that are read${why}`);
    }
    if (unread.length > 0) warn(`${p}: passing over ${unreadSummary(unread)}`);
    // Segmenting them again would write <stem>_mask_mask.png and so on, run after run.
    if (outputs.length > 0)
      warn(
        `${p}: passing over ${plural(outputs.length, 'map')} named like segment's outputs (<stem>_mask.png, _prob.png, ...)`,
      );
    out.push(...images.map((name) => join(p, name)));
  }
  // The same file named twice (a folder and a file in it, a shell glob and a name) is one input.
  const seen = new Set<string>();
  const unique = out.filter((f) => {
    const key = resolve(f);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const earlier = await earlierOutputs(unique, new Set(named));
  if (earlier.length > 0) {
    // A few named: a folder of a thousand photographs has thousands of them.
    const some =
      earlier.slice(0, 3).join(', ') + (earlier.length > 3 ? `, and ${earlier.length - 3} more` : '');
    warn(
      `passing over ${plural(earlier.length, 'file')} named like an earlier run's outputs beside their photographs: ${some}`,
    );
  }
  return unique.filter((f) => !earlier.includes(f));
}

/**
 * Of the files named one by one, those an earlier run wrote beside an input: `photos/*` given a second time names
 * x.jpg's x_mask.png, x_measures.json and measures.csv too, which are no photographs to segment or measure. Only
 * beside a photograph of this run, and a map only when it is stored as segment stores it (grey or palette, not a
 * colour photograph someone named so, which the outputs check then refuses to overwrite).
 */
async function earlierOutputs(files: readonly string[], named: ReadonlySet<string>): Promise<string[]> {
  const photographs = new Set<string>();
  const folders = new Set<string>();
  for (const f of files) {
    if (basename(f).toLowerCase() === MEASURES_CSV) continue;
    for (const s of [basename(f, extname(f)), outputStem(f)])
      photographs.add(nameKey(join(dirname(resolve(f)), s)));
    folders.add(nameKey(dirname(resolve(f))));
  }
  const found: string[] = [];
  for (const f of files) {
    if (!named.has(f)) continue;
    const name = nameKey(basename(f));
    if (name === MEASURES_CSV) {
      if (folders.has(nameKey(dirname(resolve(f))))) found.push(f);
      continue;
    }
    const suffix = OUTPUT_SUFFIXES.find((x) => name.endsWith(x) && name.length > x.length);
    if (!suffix) continue;
    const photograph = nameKey(join(dirname(resolve(f)), name.slice(0, -suffix.length)));
    if (!photographs.has(photograph)) continue;
    const stored = MAP_STORAGE[suffix];
    if (!stored || stored(await pngStorage(f))) found.push(f);
  }
  return found;
}

/** How segment stores each map: the PNG's colour type (0 grey, 3 palette) and bit depth. */
const MAP_STORAGE: Partial<
  Record<string, (png: { colourType: number; bitDepth: number } | null) => boolean>
> = {
  '_mask.png': (png) => png?.colourType === 0 && png.bitDepth === 8,
  '_prob.png': (png) => png?.colourType === 0 && png.bitDepth === 16,
  '_uncertainty.png': (png) => png?.colourType === 0 && png.bitDepth === 16,
  '_av.png': (png) => png?.colourType === 3,
};

/** A PNG's colour type and bit depth from its header (IHDR), or null for a file that is no PNG. */
async function pngStorage(file: string): Promise<{ colourType: number; bitDepth: number } | null> {
  const handle = await open(file).catch(() => null);
  if (!handle) return null;
  try {
    const head = new Uint8Array(26);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const isPng =
      bytesRead === 26 && head[0] === 0x89 && String.fromCharCode(...head.subarray(12, 16)) === 'IHDR';
    return isPng ? { bitDepth: head[24], colourType: head[25] } : null;
  } finally {
    await handle.close();
  }
}

/** Those of a folder's files without an extension that are DICOM (the "DICM" marker after the preamble). */
async function dicomWithoutExtension(dir: string, names: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const name of names.filter((n) => extname(n) === '')) {
    const handle = await open(join(dir, name)).catch(() => null);
    if (!handle) continue;
    try {
      const head = new Uint8Array(133);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      if (isDicom(head.subarray(0, bytesRead))) found.add(name);
    } finally {
      await handle.close();
    }
  }
  return found;
}

/**
 * Refuses a run whose outputs would overwrite one of its inputs: `y_prob.png` given as a photograph beside `y.png`,
 * written into their own folder, would be replaced by y's probability map.
 */
export function assertOutputsSpareInputs(files: readonly string[], outputs: readonly string[]): void {
  const inputs = new Map(files.map((f) => [nameKey(resolve(f)), f]));
  for (const o of outputs) {
    const input = inputs.get(nameKey(resolve(o)));
    if (input)
      throw new UsageError(`${input} would be overwritten by an output of this run: choose another --out`);
  }
}

/** The stem an input's outputs are named after (see outputStems), in NFC: one name however the input's is encoded. */
export function outputStem(file: string): string {
  return fitStem(basename(file, extname(file)).normalize('NFC'), LONGEST_SUFFIX_BYTES);
}

/**
 * Each input's output stem (its name without the extension), refused when two inputs share one: `a.jpg` and `a.png`
 * would write the same `a_mask.png`. Compared as nameKey does: `café` composed and decomposed are one name. A stem too
 * long for any output's name beside it is shortened (fitStem), so that no output fails alone for its name's length.
 */
export function outputStems(files: readonly string[]): string[] {
  const stems = files.map(outputStem);
  const seen = new Map<string, string>();
  for (const [i, s] of stems.entries()) {
    const key = nameKey(s);
    const first = seen.get(key);
    if (first !== undefined)
      throw new UsageError(
        `two inputs share the stem '${s}' (${first} and ${files[i]}); their outputs would collide: ` +
          'give them separate --out folders',
      );
    seen.set(key, files[i]);
  }
  return stems;
}
