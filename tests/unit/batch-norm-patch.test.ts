// The engine patches tfjs-layers' BatchNormalization.prototype.call to run training-mode batch norm through its
// fused kernels on wasm. That patch relies on the layer's internals (gamma, beta, moving statistics, momentum,
// epsilon), so this test pins its behaviour to the stock layer's: the same output and the same moving-average
// update on wasm (patched path) as on the cpu backend (stock path). A tfjs upgrade that changes the layer fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initTf, tf, tfl, useBackend, type BackendName } from '../../main/ml/tf.js';

function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = (s / 2147483648) * 4 - 2;
  }
  return out;
}

async function trainingStep(backend: BackendName) {
  await useBackend(backend);
  const layer = tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3 });
  const x = tf.tensor4d(values(2 * 5 * 6 * 3, 7), [2, 5, 6, 3]);
  layer.build(x.shape);
  layer.setWeights([
    tf.tensor1d([1.5, 0.5, -1]),
    tf.tensor1d([0.1, -0.2, 0.3]),
    tf.tensor1d([0.2, 0.1, -0.3]),
    tf.tensor1d([1.1, 0.9, 2]),
  ]);
  const y = layer.apply(x, { training: true }) as tf.Tensor;
  const out = {
    y: Array.from(await y.data()),
    weights: await Promise.all(layer.getWeights().map(async (w) => Array.from(await w.data()))),
  };
  tf.dispose([x, y]);
  return out;
}

test('the patched training-mode batch norm (wasm) matches the stock layer (cpu)', async () => {
  await initTf();
  const stock = await trainingStep('cpu');
  const patched = await trainingStep('wasm');
  const close = (a: number[], b: number[], what: string) => {
    assert.equal(a.length, b.length, what);
    for (let i = 0; i < a.length; i++)
      assert.ok(Math.abs(a[i] - b[i]) < 1e-4, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  };
  close(patched.y, stock.y, 'output');
  // gamma, beta, moving mean, moving variance: the moving statistics moved the same way.
  patched.weights.forEach((w, i) => close(w, stock.weights[i], `weight ${i}`));
  assert.ok(
    stock.weights[2].some((v, i) => Math.abs(v - [0.2, 0.1, -0.3][i]) > 1e-3),
    'the moving mean moved',
  );
});
