// Starting weights for an anatomy network from the vessel network: the artery/vein network must first find the
// vessels it labels, which the vessel network already does. Every layer whose name and shapes match is copied;
// the first convolution, which sees three colour planes instead of one grey channel, takes the vessel kernel on
// the green plane (the vessel network's input is the CLAHE-equalised green channel) and zeros on the others.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UNetConfig } from '../types.js';
import { initTf, tf } from '../tf.js';
import { buildUNet } from '../model/model.js';
import { artifactsToModel, modelToArtifacts, readArtifacts, writeArtifacts } from '../train/model-files.js';

const GREEN_PLANE = 1;

/** Writes the warm-started network to a temporary tfjs directory and returns its path. */
export async function vesselWarmStart(
  architecture: UNetConfig,
  vesselTfjsDir: string,
  seed: number,
): Promise<string> {
  await initTf();
  const vessel = await artifactsToModel(await readArtifacts(vesselTfjsDir));
  const model = buildUNet(architecture, seed);
  const c = architecture.inputChannels;
  let copied = 0;
  for (const layer of model.layers) {
    const src = vessel.layers.find((l) => l.name === layer.name);
    if (!src) continue;
    const from = src.getWeights();
    const to = layer.getWeights();
    if (from.length !== to.length || to.length === 0) continue;
    const next = to.map((w, i) => {
      const s = from[i]!;
      if (s.shape.join() === w.shape.join()) return s;
      if (w.shape.length === 4 && s.shape[2] === 1 && w.shape[2] === c && s.shape[3] === w.shape[3]) {
        const [kh = 0, kw = 0, , f = 0] = s.shape;
        const k = kh * kw;
        const sd = s.dataSync();
        const out = new Float32Array(k * c * f);
        for (let j = 0; j < k; j++)
          for (let o = 0; o < f; o++) out[(j * c + GREEN_PLANE) * f + o] = sd[j * f + o];
        return tf.tensor(out, w.shape);
      }
      return w;
    });
    layer.setWeights(next);
    copied++;
  }
  if (copied === 0)
    throw new Error(`${vesselTfjsDir}: no layer of the vessel network matches the anatomy network`);
  const dir = await mkdtemp(join(tmpdir(), 'retina-warm-start-'));
  await writeArtifacts(dir, await modelToArtifacts(model));
  model.dispose();
  vessel.dispose();
  return dir;
}
