// Locates the package root (the folder with package.json) from this module, whether it runs from the TypeScript
// sources or from dist/, so bundled resources resolve the same way in both.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot locate the RetinaStudio package root');
    dir = parent;
  }
  cached = dir;
  return dir;
}

/** The datasets folder beside the checkout (../shared/datasets), overridable with RETINA_DATASETS. */
export function datasetsRoot(): string {
  return process.env.RETINA_DATASETS ?? join(packageRoot(), '..', 'shared', 'datasets');
}
