// A results folder measured into from two folders that each hold an 01.tif: the second run's 01_measures.json (and
// its measures.csv row, matched by stem) replaces the first's. Within one run that is refused (outputStems); across
// runs it is said, naming both photographs, from the source each _measures.json records.
import { readFile } from 'node:fs/promises';
import { isAbsolute, normalize, resolve, sep } from 'node:path';

/** The absolute path of a photograph, as _measures.json records it beside the path as typed. */
export function sourcePath(file: string): string {
  return resolve(file);
}

/**
 * Whether `typed`, a relative path as an earlier run recorded it (from a folder it did not record), can name the
 * photograph at `absolute`: it does from some folder when `absolute` ends with it.
 */
function canName(typed: string, absolute: string): boolean {
  const parts = normalize(typed)
    .split(sep)
    .filter((p) => p !== '' && p !== '.' && p !== '..');
  return parts.length > 0 && absolute.split(sep).slice(-parts.length).join(sep) === parts.join(sep);
}

/**
 * The photograph whose results `outPath` holds when it is another than `file`, else null (no such file, the same
 * photograph, or a file that records none). A JSON older than its `source` field has only `input` as typed, from a
 * folder it does not say: another photograph only when that path cannot name this one from any folder (resolved
 * against this run's folder, the same photograph measured from elsewhere was said to be another one).
 */
export async function otherSource(outPath: string, file: string): Promise<string | null> {
  let recorded: unknown;
  try {
    recorded = JSON.parse(await readFile(outPath, 'utf8'));
  } catch {
    return null; // none there, or not ours to judge: it is replaced as before
  }
  if (typeof recorded !== 'object' || recorded === null) return null;
  const { source, input } = recorded as { source?: unknown; input?: unknown };
  const here = sourcePath(file);
  if (typeof source === 'string' && isAbsolute(source)) return source !== here ? source : null;
  if (typeof input !== 'string' || input === '') return null;
  if (isAbsolute(input)) return resolve(input) !== here ? input : null;
  return canName(input, here) ? null : input;
}
