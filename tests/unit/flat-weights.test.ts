// Flat weights, the exchange format with scripts/gpu-training: a network's weights written out and read into
// another network make the same network; a misshapen or missing entry is refused; the layouts are tfjs's (what
// train_artery_vein.py transposes from and to).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { initTf, tf, type Tensor } from '../../main/ml/tf.js';
import { buildUNet, REFERENCE_UNET } from '../../main/ml/model/model.js';
import { flattenWeights, loadFlatWeights } from '../../main/ml/model/flat-weights.js';
import type { UNetConfig } from '../../main/ml/types.js';

const SMALL: UNetConfig = { ...REFERENCE_UNET, inputChannels: 3, depth: 2, baseFilters: 4 };

function predict(model: ReturnType<typeof buildUNet>, x: Tensor): Float32Array {
  return tf.tidy(() => (model.predict(x) as Tensor).dataSync() as Float32Array);
}

describe('flat weights', () => {
  before(async () => {
    await initTf('wasm');
  });

  test('written out and read into a differently initialised network, they make the same network', () => {
    const a = buildUNet(SMALL, 1);
    const b = buildUNet(SMALL, 2);
    const x = tf.randomNormal([1, 16, 16, 3], 0, 1, 'float32', 5);
    try {
      const flat = flattenWeights(a);
      assert.equal(flat.data.length, a.countParams());
      const before = predict(b, x);
      const want = predict(a, x);
      assert.ok(
        before.some((v, i) => Math.abs(v - want[i]) > 1e-3),
        'the two seeds differ to begin with',
      );
      loadFlatWeights(b, flat);
      assert.deepEqual(predict(b, x), want);
    } finally {
      a.dispose();
      b.dispose();
      x.dispose();
    }
  });

  test('kernels keep tfjs layouts: convolutions [kh, kw, in, out], transposed ones [kh, kw, out, in]', () => {
    const m = buildUNet(SMALL, 1);
    try {
      const { specs } = flattenWeights(m);
      const shape = (layer: string, index = 0) =>
        specs.find((s) => s.layer === layer && s.index === index)!.shape;
      assert.deepEqual(shape('enc0_conv1'), [3, 3, 3, 4]);
      assert.deepEqual(shape('dec1_upconv'), [2, 2, 8, 16]);
      assert.deepEqual(shape('enc0_bn1', 3), [4]);
      assert.deepEqual(shape('output_conv'), [1, 1, 4, 1]);
      // Offsets tile the data without gaps, in layer order.
      let offset = 0;
      for (const s of specs) {
        assert.equal(s.offset, offset);
        offset += s.length;
      }
    } finally {
      m.dispose();
    }
  });

  test('an entry of the wrong shape or a missing one is refused, naming the layer', () => {
    const a = buildUNet(SMALL, 1);
    const b = buildUNet(SMALL, 2);
    try {
      const flat = flattenWeights(a);
      const misshapen = flat.specs.map((s) =>
        s.layer === 'dec0_conv2' ? { ...s, shape: [...s.shape].reverse() } : s,
      );
      assert.throws(
        () => loadFlatWeights(b, { ...flat, specs: misshapen }),
        /dec0_conv2 weight 0 is 4x4x3x3/,
      );
      const missing = flat.specs.filter((s) => !(s.layer === 'bottleneck_bn1' && s.index === 2));
      assert.throws(
        () => loadFlatWeights(b, { ...flat, specs: missing }),
        /no entry for bottleneck_bn1 weight 2/,
      );
      assert.throws(
        () => loadFlatWeights(b, { ...flat, data: flat.data.subarray(0, 100) }),
        /lies outside the data/,
      );
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
