// The photographs a command is given: files as named, and a folder as the image files directly inside it (by name,
// hidden ones and segment's own output maps left out), so `retina segment photos/ --out out` works where no shell
// expands `photos/*.jpg`.
import { open, stat } from 'node:fs/promises';
import { folderEntries } from '../node/folder-entries.js';
import { fitStem, utf8Bytes } from '../node/file-name-fit.js';
import { basename, extname, join, resolve } from 'node:path';
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
const LONGEST_SUFFIX_BYTES = Math.max(...OUTPUT_SUFFIXES.map(utf8Bytes));

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
  for (const p of paths) {
    const info = await stat(p).catch(() => null);
    if (!info?.isDirectory()) {
      // A missing or unreadable file is reported by the command with the rest of that input's errors.
      out.push(p);
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
  return out.filter((f) => {
    const key = resolve(f);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
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
  const inputs = new Map(files.map((f) => [resolve(f).toLowerCase(), f]));
  for (const o of outputs) {
    const input = inputs.get(resolve(o).toLowerCase());
    if (input)
      throw new UsageError(`${input} would be overwritten by an output of this run: choose another --out`);
  }
}

/**
 * Each input's output stem (its name without the extension), refused when two inputs share one: `a.jpg` and `a.png`
 * would write the same `a_mask.png`. Compared without case, as the file systems of macOS and Windows do. A stem too
 * long for any output's name beside it is shortened (fitStem), so that no output fails alone for its name's length.
 */
export function outputStems(files: readonly string[]): string[] {
  const stems = files.map((f) => fitStem(basename(f, extname(f)), LONGEST_SUFFIX_BYTES));
  const seen = new Map<string, string>();
  for (const [i, s] of stems.entries()) {
    const key = s.toLowerCase();
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
