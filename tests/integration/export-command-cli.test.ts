// `retina export` on a model the user did not make: an export to --out leaves the model directory as it was, and
// the model shipped with RetinaStudio is never rewritten (it was, by every `retina export`, bytes changed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';

const repo = join(import.meta.dirname, '..', '..');
const CLI = join(repo, 'main', 'cli', 'main.ts');
const shipped = join(repo, 'resources', 'models', 'default');

/** The CLI as a user runs it: the model is the one --model names, else the shipped default. */
function retina(args: string[]): { code: number; stderr: string; stdout: string } {
  const env = { ...process.env };
  delete env.RETINA_MODEL;
  delete env.RETINA_DEFAULT_MODEL;
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: repo,
    encoding: 'utf8',
    env,
  });
  return { code: r.status ?? -1, stderr: r.stderr, stdout: r.stdout };
}

const filesOf = (dir: string): Buffer[] =>
  ['model.onnx', 'retina-model.json'].map((f) => readFileSync(join(dir, f)));

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'retina-export-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('export --out writes a working ONNX file there and leaves the model directory as it was', async () => {
  const model = join(tmp, 'copy-of-default');
  cpSync(shipped, model, { recursive: true });
  const before = filesOf(model);
  const out = join(tmp, 'exports', 'vessels.onnx');
  const r = retina(['export', '--model', model, '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(filesOf(model), before, 'the model directory is unchanged');
  assert.equal(JSON.parse(r.stdout).file, 'model.onnx');
  const session = await InferenceSession.create(out);
  assert.equal(session.inputNames.length, 1);
  await session.release();
});

test('export without --out on the shipped model is refused and changes none of its files', () => {
  const before = filesOf(shipped);
  const r = retina(['export']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /a model shipped with RetinaStudio .* give --out FILE\.onnx/);
  assert.deepEqual(filesOf(shipped), before);
});
