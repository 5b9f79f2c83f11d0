// A training run's checkpoint folder, shared by the vessel and the anatomy trainers: `last/` (weights and the
// optimizer's state, to resume), `best/` (weights of the best epoch so far) and `state.json` (the run's own record).
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { Trainer } from './trainer.js';
import { writeDirAtomic, writeFileAtomic } from '../../node/atomic-fs.js';

const OPTIMIZER_FILE = 'optimizer.bin';

/** Saves the epoch just trained; each part is replaced atomically and the state last, so it never points at newer weights. */
export async function saveCheckpoint(
  dir: string,
  trainer: Trainer,
  state: unknown,
  best: boolean,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeDirAtomic(
    join(dir, 'last'),
    async (tmp) => {
      await trainer.saveModel(tmp);
      await writeFileAtomic(join(tmp, OPTIMIZER_FILE), serialize(await trainer.getOptimizerState()));
    },
    { overwrite: true },
  );
  if (best) await writeDirAtomic(join(dir, 'best'), (tmp) => trainer.saveModel(tmp), { overwrite: true });
  await writeFileAtomic(join(dir, 'state.json'), JSON.stringify(state, null, 2));
}

/** Puts the trainer back where `saveCheckpoint` left it: the last epoch's weights and optimizer state. */
export async function restoreCheckpoint(dir: string, trainer: Trainer): Promise<void> {
  await trainer.loadModel(join(dir, 'last'));
  await trainer.setOptimizerState(deserialize(await readFile(join(dir, 'last', OPTIMIZER_FILE))));
}
