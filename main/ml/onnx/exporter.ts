// tfjs LayersModel -> ONNX ModelProto bytes. The graph takes NHWC input (as the tfjs model does), transposes
// to NCHW once (the layout ONNX operators and ONNX Runtime's fast kernels use) and back once at the end.
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { OnnxExportError } from './errors.js';
import { OnnxGraphBuilder, type WeightType } from './graph-builder.js';
import {
  CONCAT_SPLITTING_CLASSES,
  CONVERTERS,
  FOLDABLE_CLASSES,
  SUPPORTED_LAYER_CLASSES,
  batchNormAffine,
  type ChannelAffine,
} from './layer-converters.js';
import { LayerInfo } from './layer-config.js';
import {
  EXPORTER_NAME,
  EXPORTER_VERSION,
  INPUT_NAME,
  MetaKey,
  ONNX_IR_VERSION,
  ONNX_OPSET,
  OUTPUT_NAME,
  buildMetadata,
  type OnnxExportMeta,
} from './metadata.js';
import { TensorDataType, encodeModel, type OnnxModel } from './onnx-proto.js';

export interface OnnxExportOptions {
  /** Fold BatchNormalization into a directly preceding conv (default true); otherwise emit BatchNormalization ops. */
  foldBatchNorm?: boolean;
  /** Emit kernel==stride transposed convs as 1x1 Conv + DepthToSpace (default true; faster in ONNX Runtime). */
  transposeAsDepthToSpace?: boolean;
  /**
   * Replace conv(concat(a, b)) by conv_a(a) + conv_b(b) when only convolutions read the concat (default true:
   * saves the concat copy and two layout reorders per decoder level in ONNX Runtime, ~3% on the reference U-Net).
   */
  splitConcat?: boolean;
  /**
   * Kernel storage (default float32). float16: kernels whose values are all exact halves (weights rounded by
   * `retina compact`) are stored as halves and cast back to float32 in the graph (folded by ONNX Runtime at
   * load), so inference runs in float32 as before; other kernels stay float32, so the export never rounds.
   */
  weightType?: WeightType;
}

/** Tensors reachable backwards from the outputs, producers before consumers. */
function topologicalOrder(outputs: SymbolicTensor[]): SymbolicTensor[] {
  const order: SymbolicTensor[] = [];
  const state = new Map<number, 'open' | 'done'>();
  const stack: { t: SymbolicTensor; expanded: boolean }[] = outputs.map((t) => ({ t, expanded: false }));
  while (stack.length > 0) {
    const top = stack.pop()!;
    const s = state.get(top.t.id);
    if (s === 'done') continue;
    if (top.expanded) {
      state.set(top.t.id, 'done');
      order.push(top.t);
      continue;
    }
    if (s === 'open') continue; // already on the stack below; will be finished there
    state.set(top.t.id, 'open');
    stack.push({ t: top.t, expanded: true });
    for (const i of [...top.t.inputs].reverse())
      if (state.get(i.id) !== 'done') stack.push({ t: i, expanded: false });
  }
  return order;
}

function channelsOf(t: SymbolicTensor, info: LayerInfo): number {
  if (t.shape.length !== 4) {
    info.fail(`produces a rank-${t.shape.length} tensor; only rank-4 NHWC image tensors can be exported`);
  }
  const c = t.shape[3];
  if (typeof c !== 'number') info.fail('has an unknown channel count');
  return c;
}

/** Builds the ONNX model structure (exposed for tests that inspect the graph). */
export function buildOnnxModel(
  model: LayersModel,
  meta: OnnxExportMeta,
  options: OnnxExportOptions = {},
): OnnxModel {
  const foldBn = options.foldBatchNorm ?? true;
  const convertOptions = { transposeAsDepthToSpace: options.transposeAsDepthToSpace ?? true };
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new OnnxExportError(
      `model "${model.name}" has ${model.inputs.length} inputs and ${model.outputs.length} outputs; exactly 1 of each is supported`,
    );
  }
  const modelInput = model.inputs[0];
  const modelOutput = model.outputs[0];
  const order = topologicalOrder([modelOutput]);

  const consumers = new Map<number, SymbolicTensor[]>();
  for (const t of order) {
    for (const i of t.inputs) consumers.set(i.id, [...(consumers.get(i.id) ?? []), t]);
  }

  const weightType = options.weightType ?? 'float32';
  if (weightType !== 'float32' && weightType !== 'float16') {
    throw new OnnxExportError(`weight type "${String(weightType)}" is not supported (float32, float16)`);
  }
  const b = new OnnxGraphBuilder(weightType);
  b.reserve(INPUT_NAME);
  const names = new Map<number, string>();
  const concatParts = new Map<number, { name: string; channels: number }[]>();

  for (const t of order) {
    if (names.has(t.id)) continue; // a batch norm already folded into its conv
    const info = new LayerInfo(t.sourceLayer);
    const channels = channelsOf(t, info);
    if (info.className === 'InputLayer') {
      if (t.id !== modelInput.id) info.fail('is not the model input');
      names.set(t.id, b.node('Transpose', [INPUT_NAME], { perm: [0, 3, 1, 2] }, 'input_nchw'));
      continue;
    }
    const convert = CONVERTERS[info.className];
    if (!convert) {
      throw new OnnxExportError(
        `layer "${info.name}" (${info.className}) is not supported by the ONNX exporter; supported: ${SUPPORTED_LAYER_CLASSES.join(', ')}`,
      );
    }
    if ((options.splitConcat ?? true) && info.className === 'Concatenate' && t.id !== modelOutput.id) {
      const axis = info.number('axis', -1);
      const readers = consumers.get(t.id) ?? [];
      const convReaders = readers.every((r) => CONCAT_SPLITTING_CLASSES.has(r.sourceLayer.getClassName()));
      if ((axis === -1 || axis === 3) && convReaders) {
        concatParts.set(
          t.id,
          t.inputs.map((i) => ({ name: names.get(i.id)!, channels: channelsOf(i, info) })),
        );
        names.set(t.id, `(unmaterialised ${info.name})`);
        continue;
      }
    }
    const inputs = t.inputs.map((i) => {
      const n = names.get(i.id);
      if (n === undefined) return info.fail(`input ${i.name} was not converted`);
      return n;
    });
    let fold: ChannelAffine | null = null;
    let foldedInto: SymbolicTensor | null = null;
    if (foldBn && FOLDABLE_CLASSES.has(info.className) && info.string('activation', 'linear') === 'linear') {
      const next = consumers.get(t.id) ?? [];
      if (
        next.length === 1 &&
        t.id !== modelOutput.id &&
        next[0].sourceLayer.getClassName() === 'BatchNormalization'
      ) {
        foldedInto = next[0];
        fold = batchNormAffine(new LayerInfo(foldedInto.sourceLayer), channels);
      }
    }
    const out = convert({
      b,
      info,
      inputs,
      inputChannels: t.inputs.map((i) => channelsOf(i, info)),
      fold,
      options: convertOptions,
      concatParts: t.inputs.length === 1 ? concatParts.get(t.inputs[0].id) : undefined,
    });
    names.set(t.id, out);
    if (foldedInto) names.set(foldedInto.id, out);
  }

  const last = names.get(modelOutput.id)!;
  const outInfo = new LayerInfo(modelOutput.sourceLayer);
  b.node('Transpose', [last], { perm: [0, 2, 3, 1] }, OUTPUT_NAME, OUTPUT_NAME);
  const inChannels = channelsOf(modelInput, new LayerInfo(modelInput.sourceLayer));
  const outChannels = channelsOf(modelOutput, outInfo);

  return {
    irVersion: ONNX_IR_VERSION,
    opsets: [{ domain: '', version: ONNX_OPSET }],
    producerName: EXPORTER_NAME,
    producerVersion: EXPORTER_VERSION,
    docString: `RetinaStudio export of tfjs model "${model.name}". Input ${INPUT_NAME}: float32 NHWC [N,H,W,${inChannels}]; output ${OUTPUT_NAME}: float32 NHWC [N,H,W,${outChannels}].`,
    graph: b.graph(
      meta.name ?? model.name,
      [{ name: INPUT_NAME, elemType: TensorDataType.FLOAT, dims: ['N', 'H', 'W', inChannels] }],
      [{ name: OUTPUT_NAME, elemType: TensorDataType.FLOAT, dims: ['N', 'H_out', 'W_out', outChannels] }],
    ),
    metadata: {
      ...buildMetadata(meta),
      ...(weightType === 'float16' ? { [MetaKey.weightType]: weightType } : {}),
    },
  };
}

/**
 * Serialises a tfjs LayersModel as an ONNX model (opset 17, IR 8).
 * Throws OnnxExportError naming the layer and its class when something cannot be exported.
 */
export function exportToOnnx(
  model: LayersModel,
  meta: OnnxExportMeta,
  options: OnnxExportOptions = {},
): Uint8Array {
  return encodeModel(buildOnnxModel(model, meta, options));
}
