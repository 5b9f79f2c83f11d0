// `retina export`: writes a model directory's ONNX file (and records it in the manifest), or a copy elsewhere.
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { flag, parseCommand, printJson, str } from './args.js';
import { EXIT } from './errors.js';
import { resolveModelDir, readManifest, ONNX_FILE } from '../ml/model/model-dir.js';
import { exportModelDir } from '../ml/onnx/export-model-dir.js';

const HELP = `
Usage: retina export [--model DIR] [--out FILE.onnx] [--json]

Exports the model's tfjs weights to ONNX (opset and IR version recorded; dynamic height and width; preprocessing,
threshold and provenance in metadata_props). The model directory keeps its own copy (DIR/model.onnx), so the
app never exports on the fly; --out also copies it to FILE.

Options:
  --model DIR   model directory (default: the bundled default model, or $RETINA_MODEL)
  --out FILE    where to copy the .onnx file
  --json        print the ONNX record of the manifest
`;

export async function run(argv: string[]): Promise<number> {
  const p = parseCommand(
    argv,
    { model: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
    HELP,
  );
  if (!p) return EXIT.ok;
  const dir = resolveModelDir(str(p, 'model'));
  await exportModelDir(dir);
  const manifest = await readManifest(dir);
  const out = str(p, 'out');
  if (out) await copyFile(join(dir, manifest.onnx?.file ?? ONNX_FILE), out);
  if (flag(p, 'json')) printJson(manifest.onnx);
  else
    process.stderr.write(
      `exported ${join(dir, manifest.onnx?.file ?? ONNX_FILE)}${out ? ` and copied to ${out}` : ''}\n`,
    );
  return EXIT.ok;
}
