// The bundled anatomy models (resources/models/artery-vein and resources/models/optic-disc) and one call that runs
// both on a segmented photograph.
import { join } from 'node:path';
import type { RasterImage } from '../types.js';
import type { Segmentation } from '../infer.js';
import { resourcesDir } from '../../node/package-root.js';
import { ModelLoadError } from '../model/model-dir.js';
import { openModel, type LoadedModel, type OpenModelOptions } from '../model/model-loader.js';
import type { AnatomyTask } from './anatomy-manifest.js';
import { classifyArteryVein, type ArteryVeinResult } from './artery-vein.js';
import { locateDisc, type DiscResult } from './optic-disc.js';

export function bundledAnatomyDir(task: AnatomyTask): string {
  return join(resourcesDir(), 'models', task);
}

const TASK_NAMES: Record<AnatomyTask, string> = {
  'artery-vein': 'an artery/vein model',
  'optic-disc': 'an optic-disc model',
};

/** Opens an anatomy model (the bundled one when `dir` is absent) and checks that it does `task`. */
export async function openAnatomyModel(
  task: AnatomyTask,
  dir: string | undefined,
  opts: OpenModelOptions = {},
): Promise<LoadedModel> {
  const m = await openModel(dir ?? bundledAnatomyDir(task), opts);
  if (m.manifest.anatomy?.task !== task) {
    await m.predictor.dispose();
    throw new ModelLoadError(`${m.dir} is not ${TASK_NAMES[task]}`);
  }
  return m;
}

export interface AnatomyModels {
  arteryVein: LoadedModel;
  opticDisc: LoadedModel;
}

export async function openAnatomyModels(
  dirs: { arteryVein?: string; opticDisc?: string },
  opts: OpenModelOptions = {},
): Promise<AnatomyModels> {
  const arteryVein = await openAnatomyModel('artery-vein', dirs.arteryVein, opts);
  try {
    return { arteryVein, opticDisc: await openAnatomyModel('optic-disc', dirs.opticDisc, opts) };
  } catch (err) {
    await arteryVein.predictor.dispose();
    throw err;
  }
}

export async function closeAnatomyModels(m: AnatomyModels): Promise<void> {
  await m.arteryVein.predictor.dispose();
  await m.opticDisc.predictor.dispose();
}

export interface AnatomyResult {
  arteryVein: ArteryVeinResult;
  disc: DiscResult;
}

export async function analyseAnatomy(
  image: RasterImage,
  seg: Segmentation,
  models: AnatomyModels,
): Promise<AnatomyResult> {
  return {
    arteryVein: await classifyArteryVein(image, seg, models.arteryVein),
    disc: await locateDisc(image, seg, models.opticDisc),
  };
}

/** What the user is told of an image's anatomy: the disc's warnings, then the artery/vein labels'. */
export function anatomyWarnings(a: AnatomyResult): string[] {
  return [...a.disc.warnings, ...a.arteryVein.warnings];
}

/** `<stem>_disc.json` as the CLI writes it: disc and fovea in the input's pixels, laterality. */
export function discJson(d: DiscResult): {
  disc: { x: number; y: number; diameter: number } | null;
  fovea: { x: number; y: number; confidence: number } | null;
  laterality: 'L' | 'R' | null;
} {
  return {
    disc: d.disc ? { x: d.disc.x, y: d.disc.y, diameter: d.disc.diameter } : null,
    fovea: d.fovea,
    laterality: d.laterality,
  };
}
