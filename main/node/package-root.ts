// The one place that knows where the installed package and its resources are, whether the code runs from the
// TypeScript sources (tsx), from dist/ (npm ci builds it) or from a packaged app: every path to something the
// project ships (renderer bundle, default model, sample photographs, package.json) is derived here.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

/** The folder that holds the project's package.json (walks up from this module; dist/ has none of its own). */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!isProjectRoot(dir)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot locate the RetinaStudio package root');
    dir = parent;
  }
  cached = dir;
  return dir;
}

function isProjectRoot(dir: string): boolean {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'retinastudio';
  } catch {
    return false;
  }
}

/** The product's version, from package.json. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** `resources/`: icons, bundled models with their cards, sample photographs. */
export function resourcesDir(): string {
  return join(packageRoot(), 'resources');
}

/** The bundled public-domain sample photographs (the first study a new user opens). */
export function samplesDir(): string {
  return join(resourcesDir(), 'samples');
}

/** The built renderer (vite output); RETINA_RENDERER_DIR points elsewhere for development. */
export function rendererDir(): string {
  return process.env.RETINA_RENDERER_DIR ?? join(packageRoot(), 'renderer', 'dist');
}

/** The datasets folder beside the checkout (../shared/datasets), overridable with RETINA_DATASETS. */
export function datasetsRoot(): string {
  return process.env.RETINA_DATASETS ?? join(packageRoot(), '..', 'shared', 'datasets');
}
