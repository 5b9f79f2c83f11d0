// `retina export`: writes a model directory's ONNX file (and records it in the manifest), or an export elsewhere.
import { stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { flag, parseCommand, printJson, str } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { writeFileAtomic } from '../node/atomic-fs.js';
import { resolveModelDir, readManifest, ONNX_FILE } from '../ml/model/model-dir.js';
import { exportModelBytes, exportModelDir } from '../ml/onnx/export-model-dir.js';
import { resourcesDir } from '../node/package-root.js';

const HELP = `
Usage: retina export [--model DIR] [--out FILE.onnx] [--json]

Exports the model's tfjs weights to ONNX (opset and IR version recorded; dynamic height and width; preprocessing,
threshold and provenance in metadata_props). Without --out it is written into the model directory
(DIR/model.onnx, recorded in its manifest), where the app reads it; with --out it is written to FILE only and the
model directory is left as it is. A model shipped with RetinaStudio already has its ONNX file and is not rewritten:
give --out.

Options:
  --model DIR   model directory (default: the bundled default model, or $RETINA_MODEL)
  --out FILE    where to write the .onnx file (the model directory is not changed)
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
  const out = str(p, 'out');
  if (!out) {
    // The installed product's own files: rewriting them changed the shipped model (and fails on a read-only install).
    if (isInside(dir, resourcesDir()))
      throw new UsageError(
        `${dir} is a model shipped with RetinaStudio and already has its ONNX file (${ONNX_FILE}); ` +
          'give --out FILE.onnx to write an export of it elsewhere',
      );
    await exportModelDir(dir);
    const manifest = await readManifest(dir);
    if (flag(p, 'json')) printJson(manifest.onnx);
    else process.stderr.write(`exported ${join(dir, manifest.onnx?.file ?? ONNX_FILE)}\n`);
    return EXIT.ok;
  }
  // Named as the other commands name them (a raw ENOENT/EISDIR named neither what nor why).
  if ((await stat(out).catch(() => null))?.isDirectory())
    throw new UsageError(
      `--out ${out} is a folder: give the .onnx file's path, e.g. ${join(out, 'model.onnx')}`,
    );
  const { bytes, record } = await exportModelBytes(dir);
  // Its folder is made when missing, and a file cut short never stands as the export.
  await writeFileAtomic(resolve(out), bytes);
  if (flag(p, 'json')) printJson(record);
  else process.stderr.write(`exported ${dir} to ${out}\n`);
  return EXIT.ok;
}

function isInside(dir: string, root: string): boolean {
  const rel = relative(resolve(root), resolve(dir));
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
}
