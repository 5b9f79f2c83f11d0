// The subset of onnx.proto the exporter writes and the validator reads back. Field numbers follow onnx.proto
// (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto,
// TensorShapeProto, StringStringEntryProto, OperatorSetIdProto).
import {
  ProtoDecodeError,
  ProtoReader,
  ProtoWriter,
  decodeFloat32,
  decodeString,
  toInt64,
  type ProtoField,
} from './protobuf.js';

export const TensorDataType = { FLOAT: 1, INT64: 7, FLOAT16: 10 } as const;

/** AttributeProto.AttributeType values used here. */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export type AttributeValue = number | string | number[] | { floats: number[] };

/** Attribute written as INT when the number is an integer, unless wrapped as `{ float: x }`. */
export interface OnnxAttribute {
  name: string;
  value: AttributeValue | { float: number };
}

export interface OnnxNode {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: OnnxAttribute[];
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** Little-endian raw bytes (raw_data). */
  raw: Uint8Array;
}

/** A dimension: a fixed size, or a symbolic name for a dynamic one. */
export type OnnxDim = number | string;

export interface OnnxValueInfo {
  name: string;
  elemType: number;
  dims: OnnxDim[] | null; // null: shape unknown
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  docString: string;
  graph: OnnxGraph;
  metadata: Record<string, string>;
}

// ---------------------------------------------------------------- encoding

function encodeAttribute(a: OnnxAttribute): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name);
  const v = a.value;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${a.name}: ${v} is not an integer (wrap floats)`);
    w.int64(20, AttrType.INT).int64(3, v);
  } else if (typeof v === 'string') {
    w.int64(20, AttrType.STRING).string(4, v);
  } else if (Array.isArray(v)) {
    w.int64(20, AttrType.INTS).packedInt64(8, v);
  } else if ('float' in v) {
    w.int64(20, AttrType.FLOAT).float32(2, v.float);
  } else {
    w.int64(20, AttrType.FLOATS).packedFloat32(7, v.floats);
  }
  return w;
}

function encodeNode(n: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.opType);
  for (const a of n.attributes) w.message(5, encodeAttribute(a));
  return w;
}

function encodeTensor(t: OnnxTensor): ProtoWriter {
  const w = new ProtoWriter();
  if (t.dims.length > 0) w.packedInt64(1, t.dims);
  return w.int64(2, t.dataType).string(8, t.name).bytes(9, t.raw);
}

function encodeValueInfo(v: OnnxValueInfo): ProtoWriter {
  const tensorType = new ProtoWriter().int64(1, v.elemType);
  if (v.dims) {
    const shape = new ProtoWriter();
    for (const d of v.dims) {
      shape.message(
        1,
        typeof d === 'number' ? new ProtoWriter().int64(1, d) : new ProtoWriter().string(2, d),
      );
    }
    tensorType.message(2, shape);
  }
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, v.name).message(2, type);
}

function encodeGraph(g: OnnxGraph): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, encodeNode(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, encodeTensor(t));
  for (const i of g.inputs) w.message(11, encodeValueInfo(i));
  for (const o of g.outputs) w.message(12, encodeValueInfo(o));
  return w;
}

export function encodeModel(m: OnnxModel): Uint8Array {
  const w = new ProtoWriter().int64(1, m.irVersion).string(2, m.producerName).string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, encodeGraph(m.graph));
  for (const o of m.opsets) w.message(8, new ProtoWriter().string(1, o.domain).int64(2, o.version));
  for (const [key, value] of Object.entries(m.metadata)) {
    w.message(14, new ProtoWriter().string(1, key).string(2, value));
  }
  return w.finish();
}

// ---------------------------------------------------------------- decoding

function fieldsOf(bytes: Uint8Array): ProtoField[] {
  return new ProtoReader(bytes).fields();
}

function expectLen(f: ProtoField, what: string): Uint8Array {
  if (f.wire !== 2)
    throw new ProtoDecodeError(`${what}: expected a length-delimited field, got wire type ${f.wire}`);
  return f.value;
}

function expectVarint(f: ProtoField, what: string): number {
  if (f.wire !== 0) throw new ProtoDecodeError(`${what}: expected a varint, got wire type ${f.wire}`);
  return toInt64(f.value);
}

/** Repeated int64 fields may come packed (wire 2) or one by one (wire 0). */
function pushInts(f: ProtoField, out: number[], what: string): void {
  if (f.wire === 2) for (const v of ProtoReader.packedVarints(f.value)) out.push(toInt64(v));
  else out.push(expectVarint(f, what));
}

function decodeAttribute(bytes: Uint8Array): OnnxAttribute {
  let name = '';
  let type = 0;
  let i = 0;
  let f = 0;
  let s = '';
  const ints: number[] = [];
  const floats: number[] = [];
  for (const fl of fieldsOf(bytes)) {
    if (fl.field === 1) name = decodeString(expectLen(fl, 'attribute name'));
    else if (fl.field === 20) type = expectVarint(fl, 'attribute type');
    else if (fl.field === 3) i = expectVarint(fl, 'attribute i');
    else if (fl.field === 2 && fl.wire === 5) f = decodeFloat32(fl.value);
    else if (fl.field === 4) s = decodeString(expectLen(fl, 'attribute s'));
    else if (fl.field === 8) pushInts(fl, ints, 'attribute ints');
    else if (fl.field === 7) {
      if (fl.wire === 2) {
        const p = fl.value;
        if (p.length % 4 !== 0) throw new ProtoDecodeError('packed floats length not a multiple of 4');
        for (let k = 0; k < p.length; k += 4) floats.push(decodeFloat32(p.subarray(k, k + 4)));
      } else if (fl.wire === 5) floats.push(decodeFloat32(fl.value));
    }
  }
  switch (type) {
    case AttrType.INT:
      return { name, value: i };
    case AttrType.FLOAT:
      return { name, value: { float: f } };
    case AttrType.STRING:
      return { name, value: s };
    case AttrType.INTS:
      return { name, value: ints };
    case AttrType.FLOATS:
      return { name, value: { floats } };
    default:
      return { name, value: s }; // other kinds are not needed for validation
  }
}

function decodeNode(bytes: Uint8Array): OnnxNode {
  const n: OnnxNode = { opType: '', name: '', inputs: [], outputs: [], attributes: [] };
  for (const f of fieldsOf(bytes)) {
    if (f.field === 1) n.inputs.push(decodeString(expectLen(f, 'node input')));
    else if (f.field === 2) n.outputs.push(decodeString(expectLen(f, 'node output')));
    else if (f.field === 3) n.name = decodeString(expectLen(f, 'node name'));
    else if (f.field === 4) n.opType = decodeString(expectLen(f, 'node op_type'));
    else if (f.field === 5) n.attributes.push(decodeAttribute(expectLen(f, 'node attribute')));
  }
  return n;
}

function decodeTensor(bytes: Uint8Array): OnnxTensor {
  const t: OnnxTensor = { name: '', dims: [], dataType: 0, raw: new Uint8Array(0) };
  for (const f of fieldsOf(bytes)) {
    if (f.field === 1) pushInts(f, t.dims, 'tensor dims');
    else if (f.field === 2) t.dataType = expectVarint(f, 'tensor data_type');
    else if (f.field === 8) t.name = decodeString(expectLen(f, 'tensor name'));
    else if (f.field === 9) t.raw = expectLen(f, 'tensor raw_data');
  }
  return t;
}

function decodeValueInfo(bytes: Uint8Array): OnnxValueInfo {
  const v: OnnxValueInfo = { name: '', elemType: 0, dims: null };
  for (const f of fieldsOf(bytes)) {
    if (f.field === 1) v.name = decodeString(expectLen(f, 'value_info name'));
    else if (f.field === 2) {
      for (const tf of fieldsOf(expectLen(f, 'type'))) {
        if (tf.field !== 1) continue; // only tensor types matter here
        for (const tt of fieldsOf(expectLen(tf, 'tensor_type'))) {
          if (tt.field === 1) v.elemType = expectVarint(tt, 'elem_type');
          else if (tt.field === 2) {
            v.dims = [];
            for (const sd of fieldsOf(expectLen(tt, 'shape'))) {
              if (sd.field !== 1) continue;
              let dim: OnnxDim = '?';
              for (const df of fieldsOf(expectLen(sd, 'dim'))) {
                if (df.field === 1) dim = expectVarint(df, 'dim_value');
                else if (df.field === 2) dim = decodeString(expectLen(df, 'dim_param'));
              }
              v.dims.push(dim);
            }
          }
        }
      }
    }
  }
  return v;
}

function decodeGraph(bytes: Uint8Array): OnnxGraph {
  const g: OnnxGraph = { name: '', nodes: [], initializers: [], inputs: [], outputs: [] };
  for (const f of fieldsOf(bytes)) {
    if (f.field === 1) g.nodes.push(decodeNode(expectLen(f, 'graph node')));
    else if (f.field === 2) g.name = decodeString(expectLen(f, 'graph name'));
    else if (f.field === 5) g.initializers.push(decodeTensor(expectLen(f, 'graph initializer')));
    else if (f.field === 11) g.inputs.push(decodeValueInfo(expectLen(f, 'graph input')));
    else if (f.field === 12) g.outputs.push(decodeValueInfo(expectLen(f, 'graph output')));
  }
  return g;
}

/** Decodes a serialized ModelProto; throws ProtoDecodeError on malformed bytes or a missing graph. */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  const m: OnnxModel = {
    irVersion: 0,
    opsets: [],
    producerName: '',
    producerVersion: '',
    docString: '',
    graph: { name: '', nodes: [], initializers: [], inputs: [], outputs: [] },
    metadata: {},
  };
  let sawGraph = false;
  for (const f of fieldsOf(bytes)) {
    switch (f.field) {
      case 1:
        m.irVersion = expectVarint(f, 'ir_version');
        break;
      case 2:
        m.producerName = decodeString(expectLen(f, 'producer_name'));
        break;
      case 3:
        m.producerVersion = decodeString(expectLen(f, 'producer_version'));
        break;
      case 6:
        m.docString = decodeString(expectLen(f, 'doc_string'));
        break;
      case 7:
        m.graph = decodeGraph(expectLen(f, 'graph'));
        sawGraph = true;
        break;
      case 8: {
        const o = { domain: '', version: 0 };
        for (const of of fieldsOf(expectLen(f, 'opset_import'))) {
          if (of.field === 1) o.domain = decodeString(expectLen(of, 'opset domain'));
          else if (of.field === 2) o.version = expectVarint(of, 'opset version');
        }
        m.opsets.push(o);
        break;
      }
      case 14: {
        let key = '';
        let value = '';
        for (const kf of fieldsOf(expectLen(f, 'metadata_props'))) {
          if (kf.field === 1) key = decodeString(expectLen(kf, 'metadata key'));
          else if (kf.field === 2) value = decodeString(expectLen(kf, 'metadata value'));
        }
        m.metadata[key] = value;
        break;
      }
      default:
        break; // unknown fields are legal protobuf; ignore them
    }
  }
  if (!sawGraph) throw new ProtoDecodeError('no graph in the model');
  if (m.irVersion <= 0) throw new ProtoDecodeError('missing ir_version');
  return m;
}
