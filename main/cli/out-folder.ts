// The --out folder of segment and measure, checked before any model loads: a path naming a file (or running
// through one) would otherwise fail only at the first write, after seconds of loading, as a runtime error.
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from './errors.js';

/** Refuses an --out that is, or lies inside, an existing file; a folder still to be created is fine. */
export async function assertOutFolder(outDir: string): Promise<void> {
  let at = resolve(outDir);
  for (;;) {
    const s = await stat(at).catch((err: NodeJS.ErrnoException) => {
      // ENOTDIR: an ancestor is a file, found further up.
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
      throw err;
    });
    if (s) {
      if (s.isDirectory()) return;
      throw new UsageError(
        at === resolve(outDir)
          ? `--out ${outDir} is a file, not a folder: give a folder for the results`
          : `--out ${outDir} lies inside ${at}, a file, not a folder: give a folder for the results`,
      );
    }
    const up = dirname(at);
    if (up === at) return;
    at = up;
  }
}
