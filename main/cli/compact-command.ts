// `retina compact`: stores a model directory's weights as float16 (tfjs and ONNX), about half the bytes.
import { flag, parseCommand, printJson, requireStr } from './args.js';
import { EXIT } from './errors.js';
import { resolveModelDir } from '../ml/model/model-dir.js';
import { compactModelDir, type CompactSizes } from '../ml/model/model-compact.js';

const HELP = `
Usage: retina compact --model DIR [--force] [--json]

Rounds the model's weights to float16 and stores them that way: tfjs/weights.bin in tfjs' float16 weight
format, and model.onnx re-exported from the same rounded weights (float16 initialisers, cast to float32 when
ONNX Runtime loads the model, so inference runs in float32 at the same speed). Tensors under 4096 values
(biases, batch-norm parameters, the input layer) stay float32. The directory is rewritten in place through
temporary files; a failure leaves it as it was. A compact model still loads for fine-tuning (retrain) and
inference, and compacting it again changes nothing.

Options:
  --model DIR   model directory to compact (required: the files are rewritten in place)
  --force       redo the work even if the directory is already compact
  --json        print the result (sizes before/after, probe difference) as JSON
`;

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

function total(s: CompactSizes): number {
  return s.tfjsBytes + s.onnxBytes;
}

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    { model: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } },
    HELP,
  );
  if (!p) return EXIT.ok;
  const dir = resolveModelDir(requireStr(p, 'model'));
  const result = await compactModelDir(dir, { force: flag(p, 'force') });
  if (flag(p, 'json')) printJson(result);
  else if (!result.changed) process.stderr.write(`${dir} is already compact (${mb(total(result.after))})\n`);
  else {
    const { before, after } = result;
    process.stderr.write(
      `compacted ${dir}: tfjs ${mb(before.tfjsBytes)} -> ${mb(after.tfjsBytes)}, ` +
        `model.onnx ${before.onnxBytes ? mb(before.onnxBytes) : 'none'} -> ${mb(after.onnxBytes)}, ` +
        `total ${mb(total(before))} -> ${mb(total(after))}; ` +
        `${result.float16Tensors} tensors as float16, ${result.float32Tensors} small ones kept float32; ` +
        `max probability change on a probe tile ${result.probeMaxAbsDiff.toExponential(2)}\n`,
    );
  }
  return EXIT.ok;
}
