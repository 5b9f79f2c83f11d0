// A results folder measured into from two folders that each hold an 01.tif: the second run's 01_measures.json (and
// its measures.csv row, matched by stem) replaces the first's. Within one run that is refused (outputStems); across
// runs it is said, naming both photographs, from the source each _measures.json records.
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';

/** The absolute path of a photograph, as _measures.json records it beside the path as typed. */
export function sourcePath(file: string): string {
  return resolve(file);
}

/**
 * The photograph whose results `outPath` holds when it is another than `file`, else null (no such file, the same
 * photograph, or a file that records none). A JSON older than its `source` field has only `input` as typed: resolved
 * against this run's folder when relative, the best that can be done.
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
  const earlier =
    typeof source === 'string' && isAbsolute(source)
      ? source
      : typeof input === 'string'
        ? resolve(input)
        : null;
  return earlier !== null && earlier !== sourcePath(file) ? earlier : null;
}
