// The hand-written protobuf writer/reader: wire-level encodings and an ONNX model round trip.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoDecodeError, ProtoReader, ProtoWriter, toInt64 } from '../../main/ml/onnx/protobuf.js';
import { decodeModel, encodeModel, TensorDataType, type OnnxModel } from '../../main/ml/onnx/onnx-proto.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('protobuf wire format', () => {
  test('varints, negative int64, strings and fixed32 match the protobuf encoding', () => {
    assert.equal(hex(new ProtoWriter().int64(1, 150).finish()), '089601'); // the spec's own example
    assert.equal(hex(new ProtoWriter().int64(2, 0).finish()), '1000');
    assert.equal(hex(new ProtoWriter().int64(1, -1).finish()), '08ffffffffffffffffff01');
    assert.equal(hex(new ProtoWriter().int64(1, 2 ** 40).finish()), '08808080808020');
    assert.equal(hex(new ProtoWriter().string(2, 'testing').finish()), '120774657374696e67');
    assert.equal(hex(new ProtoWriter().float32(2, 1).finish()), '150000803f');
    assert.equal(hex(new ProtoWriter().packedInt64(4, [3, 270, 86942]).finish()), '2206038e029ea705');
  });

  test('reader decodes what the writer wrote, including large embedded payloads', () => {
    const big = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);
    const inner = new ProtoWriter().int64(1, -5).bytes(2, big);
    const bytes = new ProtoWriter()
      .message(3, inner)
      .int64(4, 2 ** 50)
      .finish();
    const [f3, f4] = new ProtoReader(bytes).fields();
    assert.equal(f3.field, 3);
    assert.equal(f3.wire, 2);
    const [a, b] = new ProtoReader(f3.value as Uint8Array).fields();
    assert.equal(toInt64(a.value as bigint), -5);
    assert.deepEqual(b.value, big);
    assert.equal(toInt64(f4.value as bigint), 2 ** 50);
  });

  test('truncation and invalid wire types are errors', () => {
    const bytes = new ProtoWriter().string(1, 'hello world').finish();
    for (let n = 1; n < bytes.length; n++) {
      assert.throws(() => new ProtoReader(bytes.subarray(0, n)).fields(), ProtoDecodeError);
    }
    assert.throws(() => new ProtoReader(Uint8Array.of(0x0b)).fields(), /wire type 3/);
    assert.throws(
      () =>
        new ProtoReader(
          Uint8Array.of(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
        ).fields(),
      /10 bytes/,
    );
  });
});

describe('ONNX model encoding', () => {
  test('round trip keeps nodes, attributes, initialisers, shapes and metadata', () => {
    const model: OnnxModel = {
      irVersion: 8,
      opsets: [{ domain: '', version: 17 }],
      producerName: 'p',
      producerVersion: '1',
      docString: 'd',
      graph: {
        name: 'g',
        nodes: [
          {
            opType: 'Conv',
            name: 'c',
            inputs: ['x', 'w'],
            outputs: ['y'],
            attributes: [
              { name: 'pads', value: [1, 0, -1, 2] },
              { name: 'group', value: 3 },
              { name: 'auto_pad', value: 'NOTSET' },
              { name: 'alpha', value: { float: 0.25 } },
              { name: 'scales', value: { floats: [1.5, -2] } },
            ],
          },
        ],
        initializers: [
          {
            name: 'w',
            dims: [2, 1],
            dataType: TensorDataType.FLOAT,
            raw: new Uint8Array(Float32Array.of(1, 2).buffer),
          },
        ],
        inputs: [{ name: 'x', elemType: TensorDataType.FLOAT, dims: ['N', 4, 'W', 1] }],
        outputs: [{ name: 'y', elemType: TensorDataType.FLOAT, dims: null }],
      },
      metadata: { a: '{"json":true}', ünïcode: 'välue' },
    };
    assert.deepEqual(decodeModel(encodeModel(model)), model);
  });

  test('a buffer without a graph is refused', () => {
    assert.throws(() => decodeModel(new ProtoWriter().int64(1, 8).finish()), /no graph/);
  });
});
