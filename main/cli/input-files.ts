// The photographs a command is given: files as named, and a folder as the image files directly inside it (by name),
// so `retina segment photos/ --out out` works where no shell expands `photos/*.jpg` for the user.
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { IMAGE_EXTENSIONS } from '../ml/io/image-io.js';
import { UsageError } from './errors.js';

const isImageName = (name: string): boolean => {
  const ext = extname(name).toLowerCase();
  return IMAGE_EXTENSIONS.has(ext) || ext === '.dcm';
};

export async function inputFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => null);
    if (!info?.isDirectory()) {
      // A missing or unreadable file is reported by the command with the rest of that input's errors.
      out.push(p);
      continue;
    }
    const entries = await readdir(p, { withFileTypes: true });
    const images = entries
      .filter((e) => e.isFile() && isImageName(e.name))
      .map((e) => e.name)
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    if (images.length === 0) throw new UsageError(`${p} holds no image files (its subfolders are not read)`);
    out.push(...images.map((name) => join(p, name)));
  }
  return out;
}

/**
 * Each input's output stem (its name without the extension), refused when two inputs share one: `a.jpg` and `a.png`
 * would write the same `a_mask.png`. Compared without case, as the file systems of macOS and Windows do.
 */
export function outputStems(files: readonly string[]): string[] {
  const stems = files.map((f) => basename(f, extname(f)));
  const seen = new Set<string>();
  for (const s of stems) {
    const key = s.toLowerCase();
    if (seen.has(key)) throw new UsageError(`two inputs share the stem '${s}'; their outputs would collide`);
    seen.add(key);
  }
  return stems;
}
