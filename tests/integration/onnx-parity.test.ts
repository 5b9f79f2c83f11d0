// tfjs (cpu backend) and ONNX Runtime must compute the same network: every U-Net option, a model using every
// other supported layer, on real DRIVE crops. The exported file must also run in onnxruntime-web's wasm build.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { buildUNet, REFERENCE_UNET } from '../../main/ml/model/model.js';
import { initTf, type LayersModel, type SymbolicTensor } from '../../main/ml/tf.js';
import type { UNetConfig } from '../../main/ml/types.js';
import { DEFAULT_PREPROCESS } from '../../main/ml/image/preprocess.js';
import { buildOnnxModel, exportToOnnx, type OnnxExportOptions } from '../../main/ml/onnx/exporter.js';
import { driveCrops, randomiseStatistics } from './onnx-fixtures.js';

const TOL = 1e-4;
const META = { preprocess: DEFAULT_PREPROCESS, threshold: 0.5, provenance: { test: 'parity' } };

async function tfjsForward(model: LayersModel, x: Float32Array, shape: [number, number, number, number]) {
  const { tf } = await initTf('cpu');
  const input = tf.tensor4d(x, shape);
  const out = model.predict(input) as ReturnType<typeof tf.tensor4d>;
  const data = out.dataSync() as Float32Array;
  const dims = out.shape;
  input.dispose();
  out.dispose();
  return { data, dims };
}

async function ortForward(bytes: Uint8Array, x: Float32Array, shape: number[]) {
  const session = await ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
  });
  const out = (await session.run({ input: new ort.Tensor('float32', x, shape) })).output;
  await session.release();
  return { data: out.data as Float32Array, dims: out.dims };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Pixels whose masks differ at `t` although tfjs' probability is further than TOL from it. */
function maskDisagreements(ref: Float32Array, got: Float32Array, t: number): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) if (ref[i] > t !== got[i] > t && Math.abs(ref[i] - t) > TOL) n++;
  return n;
}

/** Multi-channel input from crops of different images, interleaved NHWC. */
async function inputFor(n: number, h: number, w: number, channels: number): Promise<Float32Array> {
  if (channels === 1) return driveCrops(n, h, w);
  const planes = await Promise.all(
    Array.from({ length: channels }, (_, c) => driveCrops(n, h, w, [['01', '02', '03', '04'][c]])),
  );
  const out = new Float32Array(n * h * w * channels);
  for (let i = 0; i < n * h * w; i++) for (let c = 0; c < channels; c++) out[i * channels + c] = planes[c][i];
  return out;
}

async function checkParity(
  model: LayersModel,
  channels: number,
  size: [number, number],
  options: OnnxExportOptions,
) {
  const [h, w] = size;
  const shape: [number, number, number, number] = [2, h, w, channels];
  const x = await inputFor(2, h, w, channels);
  const ref = await tfjsForward(model, x, shape);
  const got = await ortForward(exportToOnnx(model, META, options), x, shape);
  assert.deepEqual(got.dims, ref.dims);
  const diff = maxAbsDiff(ref.data, got.data);
  assert.ok(diff <= TOL, `max abs diff ${diff} > ${TOL}`);
  return { ref: ref.data, got: got.data, diff };
}

/** The outputs must not be saturated, or agreement would prove little. */
function assertInformative(p: Float32Array): void {
  let mid = 0;
  for (const v of p) if (v > 0.02 && v < 0.98) mid++;
  assert.ok(mid > p.length * 0.05, `only ${mid}/${p.length} outputs are away from 0 and 1`);
}

const ARCHITECTURES: [string, UNetConfig][] = [
  ['reference (depth 4, base 16, BN, transpose, dropout)', REFERENCE_UNET],
  [
    'depth 2, 1 conv/level, no BN, nearest, residual',
    {
      ...REFERENCE_UNET,
      depth: 2,
      baseFilters: 8,
      convsPerLevel: 1,
      batchNorm: false,
      dropout: 0,
      upsampling: 'nearest',
      residual: true,
    },
  ],
  [
    'depth 3, 3 convs/level, BN, nearest, residual, dropout 0.5',
    {
      ...REFERENCE_UNET,
      depth: 3,
      baseFilters: 8,
      convsPerLevel: 3,
      dropout: 0.5,
      upsampling: 'nearest',
      residual: true,
    },
  ],
  [
    'depth 1, 3 input channels, BN, transpose, residual',
    { ...REFERENCE_UNET, inputChannels: 3, depth: 1, baseFilters: 6, residual: true, dropout: 0 },
  ],
];

describe('ONNX export parity with tfjs on DRIVE crops', () => {
  before(async () => {
    await initTf('cpu');
  });

  for (const [label, cfg] of ARCHITECTURES) {
    test(label, async () => {
      const model = buildUNet(cfg, 7);
      await randomiseStatistics(model, 11);
      const size: [number, number] = [48, 64].map((s) => Math.max(s, 2 ** cfg.depth)) as [number, number];
      const variants: OnnxExportOptions[] = [{}, { splitConcat: false }];
      if (cfg.batchNorm) variants.push({ foldBatchNorm: false });
      if (cfg.upsampling === 'transpose') variants.push({ transposeAsDepthToSpace: false });
      for (const options of variants) {
        const { ref, got } = await checkParity(model, cfg.inputChannels, size, options);
        assertInformative(ref);
        assert.equal(maskDisagreements(ref, got, 0.5), 0);
      }
      // Folding removes every BatchNormalization node; without folding each one is kept.
      const ops = (o: OnnxExportOptions) => buildOnnxModel(model, META, o).graph.nodes.map((n) => n.opType);
      assert.ok(!ops({}).includes('BatchNormalization'));
      if (cfg.batchNorm) {
        const bnLayers = model.layers.filter((l) => l.getClassName() === 'BatchNormalization').length;
        assert.equal(
          ops({ foldBatchNorm: false }).filter((t) => t === 'BatchNormalization').length,
          bnLayers,
        );
      }
      model.dispose();
    });
  }

  test('every other supported layer class', async () => {
    const { tfl } = await initTf('cpu');
    const L = tfl.layers;
    const ap = (
      layer: { apply(x: SymbolicTensor | SymbolicTensor[]): unknown },
      x: SymbolicTensor | SymbolicTensor[],
    ) => layer.apply(x) as SymbolicTensor;
    const inp = tfl.input({ shape: [null, null, 1] });
    const a = ap(
      L.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'elu', dilationRate: 2 }),
      inp,
    );
    const b = ap(
      L.conv2d({ filters: 6, kernelSize: [5, 3], strides: 2, padding: 'same', activation: 'tanh' }),
      a,
    );
    const c = ap(
      L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu6' }),
      b,
    );
    const d = ap(L.separableConv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'selu' }), c);
    const e = ap(L.batchNormalization({ epsilon: 0.01 }), ap(L.leakyReLU({ alpha: 0.2 }), d)); // BN after an activation
    const f = ap(L.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }), e);
    const g = ap(L.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same' }), f);
    const up1 = ap(L.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }), g);
    const up2 = ap(
      L.conv2dTranspose({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'softplus' }),
      g,
    );
    const m1 = ap(L.multiply({}), [up1, up2]);
    const m2 = ap(L.add({}), [m1, e, up2]); // three-way add
    const m3 = ap(L.maximum({}), [ap(L.average({}), [m2, e, up1]), ap(L.minimum({}), [m2, up2])]);
    const h = ap(L.reLU({ maxValue: 2.5 }), ap(L.elu({}), m3));
    const padded = ap(
      L.zeroPadding2d({
        padding: [
          [1, 2],
          [3, 0],
        ],
      }),
      h,
    );
    const cropped = ap(
      L.cropping2D({
        cropping: [
          [1, 2],
          [3, 0],
        ],
      }),
      padded,
    );
    const up3 = ap(L.upSampling2d({ size: [2, 3] }), cropped);
    const v = ap(L.conv2dTranspose({ filters: 4, kernelSize: 3, strides: [1, 3], padding: 'valid' }), up3);
    const vv = ap(L.conv2d({ filters: 4, kernelSize: 3, padding: 'valid', activation: 'softsign' }), v);
    const sm = ap(L.softmax({ axis: -1 }), ap(L.thresholdedReLU({ theta: 0.1 }), vv));
    const cat = ap(L.concatenate({ axis: -1 }), [sm, ap(L.activation({ activation: 'hardSigmoid' }), vv)]);
    const sw = ap(
      L.activation({ activation: 'swish' }),
      ap(L.gaussianNoise({ stddev: 0.3 }), ap(L.dropout({ rate: 0.3 }), cat)),
    );
    const out = ap(
      L.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid' }),
      ap(L.activation({ activation: 'mish' }), sw),
    );
    const model = tfl.model({ inputs: inp, outputs: out });
    await randomiseStatistics(model, 5);
    const { ref } = await checkParity(model, 1, [40, 36], {});
    assertInformative(ref);
    await checkParity(model, 1, [40, 36], { foldBatchNorm: false, splitConcat: false });
    model.dispose();
  });

  test('the exported file runs in onnxruntime-web (wasm) with the same results', async () => {
    const model = buildUNet({ ...REFERENCE_UNET, depth: 2, baseFilters: 8 }, 3);
    await randomiseStatistics(model, 2);
    const bytes = exportToOnnx(model, META);
    const x = await driveCrops(1, 64, 64);
    const native = await ortForward(bytes, x, [1, 64, 64, 1]);

    const require = createRequire(import.meta.url);
    const dist = path.dirname(require.resolve('onnxruntime-web')) + path.sep; // .../onnxruntime-web/dist/
    const ortWeb = await import('onnxruntime-web');
    ortWeb.env.wasm.numThreads = 1;
    ortWeb.env.wasm.wasmPaths = pathToFileURL(dist).href;
    const session = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const out = (await session.run({ input: new ortWeb.Tensor('float32', x, [1, 64, 64, 1]) })).output;
    assert.deepEqual(out.dims, [1, 64, 64, 1]);
    const diff = maxAbsDiff(native.data, out.data as Float32Array);
    assert.ok(diff <= TOL, `wasm vs native max abs diff ${diff}`);
    assertInformative(out.data as Float32Array);
    await session.release();
    model.dispose();
  });
});
