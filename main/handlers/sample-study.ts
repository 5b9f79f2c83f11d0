// The first study a new user opens: the CC0 sample photograph shipped in resources/samples, imported once
// (importing the same bytes again finds the existing image) so "Open the sample study" works on an empty database
// and on a machine with no datasets.
import { readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { importImageFiles, type Store } from '../store/index.js';
import { samplesDir } from '../node/package-root.js';

/** Shown in About: CC0 needs no credit, but the author deserves one. */
export const SAMPLE_NOTICE =
  'Sample photograph "Fundus photograph of normal left eye" by Mikael Häggström (Wikimedia Commons), ' +
  'CC0 1.0 public domain dedication.';

const PHOTO_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.tif', '.tiff']);

/** The sample photographs the package ships, sorted by name. */
export function samplePhotographs(): string[] {
  const dir = samplesDir();
  return readdirSync(dir)
    .filter((name) => PHOTO_EXTENSIONS.has(extname(name).toLowerCase()))
    .sort()
    .map((name) => join(dir, name));
}

/** Imports the first sample photograph (or finds it already imported) and returns its image id. */
export async function importSample(store: Store, actor: string): Promise<number> {
  const [photo] = samplePhotographs();
  if (!photo) throw new Error(`no sample photograph in ${samplesDir()}: the installation is incomplete`);
  const report = await importImageFiles(store, [{ imagePath: photo }], { actor });
  const id = report.imported[0]?.imageId ?? report.duplicates[0]?.existingImageId;
  if (id === undefined) {
    const why = report.failed[0]?.error ?? report.skipped[0]?.reason ?? 'unknown reason';
    throw new Error(`the sample photograph could not be imported: ${why}`);
  }
  return id;
}
