// The networks `retina segment` and `retina measure` run: the vessel model from --model, --engine and --threads, and
// the artery/vein and optic-disc models from --av-model and --disc-model when the command needs them. Whatever fails
// to load (or is refused by the command's check), nothing opened before it is left running.
import { num, oneOf, str, type Parsed } from './args.js';
import { UsageError } from './errors.js';
import { openModel, type LoadedModel } from '../ml/model/model-loader.js';
import { closeAnatomyModels, openAnatomyModels, type AnatomyModels } from '../ml/anatomy/anatomy-models.js';

export interface CommandModels {
  model: LoadedModel;
  anatomy: AnatomyModels | null;
  close(): Promise<void>;
}

interface OpenOptions {
  anatomy: boolean;
  /** Refuses a vessel model the command cannot use (it throws); the models are closed first. */
  check?: (model: LoadedModel) => void;
}

export async function openCommandModels(
  p: Parsed,
  opts: OpenOptions & { anatomy: true },
): Promise<CommandModels & { anatomy: AnatomyModels }>;
export async function openCommandModels(p: Parsed, opts: OpenOptions): Promise<CommandModels>;
export async function openCommandModels(p: Parsed, opts: OpenOptions): Promise<CommandModels> {
  const threads = num(p, 'threads', { min: 1, max: 64, integer: true });
  const model = await openModel(str(p, 'model'), {
    engine: oneOf(p, 'engine', ['onnx', 'tfjs'] as const),
    threads,
  });
  let anatomy: AnatomyModels | null = null;
  try {
    // An anatomy model given where the vessel model goes fails later as "3 input channels, got 1": say what it is.
    const task = model.manifest.anatomy?.task;
    if (task)
      throw new UsageError(
        `--model ${model.dir} is the ${task} model, not a vessel model (give it with --${task === 'artery-vein' ? 'av' : 'disc'}-model)`,
      );
    opts.check?.(model);
    if (opts.anatomy)
      anatomy = await openAnatomyModels(
        { arteryVein: str(p, 'av-model'), opticDisc: str(p, 'disc-model') },
        { threads },
      );
  } catch (err) {
    await model.predictor.dispose();
    throw err;
  }
  return {
    model,
    anatomy,
    async close() {
      try {
        await model.predictor.dispose();
      } finally {
        if (anatomy) await closeAnatomyModels(anatomy);
      }
    },
  };
}
