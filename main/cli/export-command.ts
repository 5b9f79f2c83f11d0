// `retina export`: writes a model directory's ONNX file (and records it in the manifest), or a copy elsewhere.
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { flag, parseCommand, printJson, str } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { writeFileAtomic } from '../node/atomic-fs.js';
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
  if (out) {
    // Named as the other commands name them (a raw ENOENT/EISDIR from copyfile named neither what nor why).
    if ((await stat(out).catch(() => null))?.isDirectory())
      throw new UsageError(
        `--out ${out} is a folder: give the .onnx file's path, e.g. ${join(out, 'model.onnx')}`,
      );
    // Its folder is made when missing, and a copy cut short never stands as the file.
    await writeFileAtomic(resolve(out), await readFile(join(dir, manifest.onnx?.file ?? ONNX_FILE)));
  }
  if (flag(p, 'json')) printJson(manifest.onnx);
  else
    process.stderr.write(
      `exported ${join(dir, manifest.onnx?.file ?? ONNX_FILE)}${out ? ` and copied to ${out}` : ''}\n`,
    );
  return EXIT.ok;
}
