// Exports what scripts/gpu-training/train_artery_vein.py trains on: the artery/vein training and validation images
// through the project's own preprocessing (the vessel model's canonical frame, CLAHE + z-scored colour planes,
// labels mapped into the frame), a network's weights as flat float32, and one crop with the tfjs output the
// trainer must reproduce before it trains (a check of its port of the network).
//   node --import tsx scripts/gpu-training/export-artery-vein.ts --data ../shared/datasets --out .gpu
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { arteryVeinSplits } from '../../main/ml/anatomy/anatomy-datasets.js';
import { prepareArteryVein } from '../../main/ml/anatomy/train-artery-vein.js';
import { interleave } from '../../main/ml/anatomy/colour-input.js';
import { flattenWeights } from '../../main/ml/model/flat-weights.js';
import { openModel } from '../../main/ml/model/model-loader.js';
import { initTf, tf } from '../../main/ml/tf.js';
import { artifactsToModel, readArtifacts } from '../../main/ml/train/model-files.js';
import type { Tensor } from '../../main/ml/tf.js';
import { EXPORT_LABEL, PLANE_QUANT, type ExportIndex } from './export-format.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/datasets' },
    out: { type: 'string', default: '.gpu' },
    init: { type: 'string', default: 'resources/models/artery-vein' },
  },
});
const out = values.out!;
mkdirSync(join(out, 'data'), { recursive: true });
const splits = arteryVeinSplits(values.data!);
const vessel = await openModel(undefined);
const index: ExportIndex = { quant: PLANE_QUANT, samples: [] };
let check: { planes: Float32Array[]; width: number; height: number } | null = null;
for (const [split, refs] of [
  ['train', splits.train],
  ['val', splits.validation],
] as const) {
  for (const ref of refs) {
    const s = await prepareArteryVein(ref, vessel);
    const n = s.width * s.height;
    // Planes quantised to bytes (a step of 0.04 standard deviations, well under the augmentation's jitter) keep
    // the export under the device machine's 64 MiB.
    const buf = new Uint8Array(n * 4);
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < n; i++) {
        const q = Math.round((s.planes[c][i] + PLANE_QUANT.offset) * PLANE_QUANT.scale);
        buf[c * n + i] = Math.max(0, Math.min(255, q));
      }
    }
    const label = buf.subarray(3 * n);
    for (const i of s.anywhere) label[i] = EXPORT_LABEL.field;
    for (let i = 0; i < n; i++)
      if (s.weight[i]) label[i] = s.target[i] ? EXPORT_LABEL.artery : EXPORT_LABEL.vein;
    const file = `${index.samples.length}.bin.gz`;
    writeFileSync(join(out, 'data', file), gzipSync(buf, { level: 9 }));
    index.samples.push({ id: s.id, split, width: s.width, height: s.height, file });
    if (split === 'val' && !check) check = s;
    process.stderr.write(`${s.id} ${s.width}x${s.height}\n`);
  }
}
writeFileSync(join(out, 'data', 'index.json'), JSON.stringify(index, null, 1));
await vessel.predictor.dispose();

await initTf();
const model = await artifactsToModel(await readArtifacts(join(values.init!, 'tfjs')));
const flat = flattenWeights(model);
writeFileSync(join(out, 'init.bin'), flat.data);
writeFileSync(join(out, 'init.json'), JSON.stringify(flat.specs, null, 1));
// A 256x256 crop from the middle of the first validation image, and what the tfjs network makes of it.
const S = 256;
const c = check!;
const x0 = Math.floor((c.width - S) / 2);
const y0 = Math.floor((c.height - S) / 2);
const crop = c.planes.map((p) => {
  const o = new Float32Array(S * S);
  for (let y = 0; y < S; y++) o.set(p.subarray((y0 + y) * c.width + x0, (y0 + y) * c.width + x0 + S), y * S);
  return o;
});
const input = interleave(crop);
const output = tf.tidy(() => (model.predict(tf.tensor4d(input, [1, S, S, 3])) as Tensor).dataSync());
writeFileSync(join(out, 'check_in.bin'), input);
writeFileSync(join(out, 'check_out.bin'), Float32Array.from(output));
model.dispose();
process.stderr.write(`wrote ${out}: ${index.samples.length} images, ${flat.data.length} weights\n`);
