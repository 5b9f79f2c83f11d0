// A network's weights as one flat float32 array with a list of where each tensor lies, in tfjs's own layouts
// (kernels [kh, kw, in, out]; transposed-convolution kernels [kh, kw, out, in]). The exchange format with a training
// program outside tfjs (scripts/gpu-training): plain enough for numpy to read and write without a converter.
import type { LayersModel } from '../tf.js';
import { tf } from '../tf.js';

export interface FlatWeightSpec {
  /** Layer name (model.ts names every layer). */
  layer: string;
  /** Position among the layer's weights (getWeights order: kernel, bias; gamma, beta, moving mean, variance). */
  index: number;
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

export interface FlatWeights {
  specs: FlatWeightSpec[];
  data: Float32Array;
}

export function flattenWeights(model: LayersModel): FlatWeights {
  const specs: FlatWeightSpec[] = [];
  const parts: Float32Array[] = [];
  let offset = 0;
  for (const layer of model.layers) {
    layer.getWeights().forEach((w, index) => {
      const d = Float32Array.from(w.dataSync());
      specs.push({
        layer: layer.name,
        index,
        name: layer.weights[index].originalName,
        shape: w.shape,
        offset,
        length: d.length,
      });
      parts.push(d);
      offset += d.length;
    });
  }
  const data = new Float32Array(offset);
  for (let i = 0; i < parts.length; i++) data.set(parts[i], specs[i].offset);
  return { specs, data };
}

/** Sets every weight of `model` from `flat`; throws when a weight is missing, misshapen or out of range. */
export function loadFlatWeights(model: LayersModel, flat: FlatWeights): void {
  const byKey = new Map(flat.specs.map((s) => [`${s.layer}#${s.index}`, s]));
  for (const layer of model.layers) {
    const current = layer.getWeights();
    if (current.length === 0) continue;
    const next = current.map((w, index) => {
      const s = byKey.get(`${layer.name}#${index}`);
      if (!s) throw new Error(`flat weights: no entry for ${layer.name} weight ${index}`);
      if (s.shape.join('x') !== w.shape.join('x')) {
        throw new Error(
          `flat weights: ${layer.name} weight ${index} is ${s.shape.join('x')}, the network wants ${w.shape.join('x')}`,
        );
      }
      if (s.offset + s.length > flat.data.length || s.length !== w.size) {
        throw new Error(`flat weights: ${layer.name} weight ${index} lies outside the data`);
      }
      return tf.tensor(flat.data.subarray(s.offset, s.offset + s.length), s.shape);
    });
    layer.setWeights(next);
    for (const t of next) t.dispose();
  }
}
