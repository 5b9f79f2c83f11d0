// One round of the study gets a fresh store set up like a clinic's after installing the bundled model:
//  - the parent's own DRIVE training images (from its manifest), approved and linked as what it was trained on, so
//    the retrain's replay setting (6 images of earlier training data) has something to draw from. The bundled
//    model's replay folder (`mix-generalist`) does not exist on disk, and without replay the plan refuses a
//    single approval ("only 1 image to train on"): k = 1 could not run at all.
//  - one gate image: a LES-AV training-half image the parent did not train on, imported as a dataset test image,
//    which the plan always holds out. The promotion gate judges on it, so no chosen image is held out instead.
//  - the round's chosen pool images with their ground truth approved as an annotator's corrections.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SampleRef } from '../../main/ml/types.js';
import {
  importDataset,
  importImageFiles,
  openStore,
  promoteModel,
  registerModel,
  type ImportReport,
  type Store,
} from '../../main/store/index.js';

export interface RoundInputs {
  modelDir: string;
  /** The parent's earlier training images (replay). */
  replay: SampleRef[];
  /** The held-out reference the promotion gate judges on. */
  gate: SampleRef;
  /** The pool images the annotator corrected this round. */
  chosen: SampleRef[];
}

const files = (s: SampleRef) => ({ imagePath: s.imagePath, maskPath: s.maskPath, fovPath: s.fovPath });

function expectAll(report: ImportReport, wanted: number, what: string): number[] {
  const ids = report.imported.map((i) => i.maskVersionId);
  if (ids.length !== wanted || ids.some((v) => v === null)) {
    const why = report.failed.map((f) => `${f.source}: ${f.error}`).join('; ');
    throw new Error(`imported ${ids.length} of ${wanted} ${what} with their masks${why ? ` (${why})` : ''}`);
  }
  return ids as number[];
}

/** The gate image as a one-image dataset folder whose test.txt lists it (the split the plan always holds out). */
async function gateFolder(dir: string, s: SampleRef): Promise<string> {
  if (!s.maskPath || !s.fovPath) throw new Error(`gate image ${s.id} needs a vessel label and a FOV mask`);
  const root = path.join(dir, 'gate-lesav');
  const place = async (sub: string, from: string): Promise<void> => {
    await mkdir(path.join(root, sub), { recursive: true });
    await copyFile(from, path.join(root, sub, path.basename(from)));
  };
  await place('images', s.imagePath);
  await place('vessel', s.maskPath);
  await place('mask', s.fovPath);
  await writeFile(path.join(root, 'test.txt'), `${s.id}\n`);
  return root;
}

/** Opens `<dir>/study.db` with the default model active and the round's images approved (see the header). */
export async function buildRoundStore(dir: string, inputs: RoundInputs): Promise<Store> {
  const store = openStore(path.join(dir, 'study.db'));
  try {
    const replay = await importImageFiles(store, inputs.replay.map(files), { actor: 'bench' });
    const trainedOn = expectAll(replay, inputs.replay.length, 'replay images').map((maskVersionId) => ({
      maskVersionId,
      role: 'train' as const,
    }));
    const base = registerModel(
      store,
      { name: 'default', dirPath: inputs.modelDir, architecture: {}, trainedOn },
      'bench',
    );
    promoteModel(store, base.id, 'bench', { reason: 'the bundled model' });
    const gate = await importDataset(store, await gateFolder(dir, inputs.gate), {
      actor: 'bench',
      kind: 'generic',
    });
    expectAll(gate, 1, 'gate image');
    const chosen = await importImageFiles(store, inputs.chosen.map(files), { actor: 'annotator' });
    expectAll(chosen, inputs.chosen.length, 'chosen pool images');
    return store;
  } catch (err) {
    store.close();
    throw err;
  }
}
