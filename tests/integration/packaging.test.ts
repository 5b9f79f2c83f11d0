// What the packages carry: the npm tarball (`npm pack`) holds the built CLI, the built UI, the bundled models and
// the sample, and none of the repository's tests, benchmarks or sources; the desktop build's configuration names
// an icon that exists and writes its installers where nothing else does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('npm pack: the built CLI and UI, the models and the sample; no tests, benchmarks, sources or source maps', () => {
  // --ignore-scripts: list what is there now, without building (the CI has built dist/ with `npm ci`).
  const r = spawnSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], {
    cwd: repo,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const files = new Set(
    (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path),
  );
  for (const needed of [
    'bin/retina.mjs',
    'bin/start.mjs',
    'dist/main/cli/main.js',
    'resources/models/default/retina-model.json',
    'resources/samples/fundus-normal-left-eye-cc0.jpg',
    'README.md',
  ])
    assert.ok(files.has(needed), `${needed} is not packed`);
  // The UI is built by `prepack` before a real pack; here, where it was built, it must be listed.
  if (existsSync(path.join(repo, 'renderer/dist/index.html')))
    assert.ok(files.has('renderer/dist/index.html'), 'the built UI is not packed');
  const stray = [...files].filter(
    (f) => /^(tests|bench|scripts|main|shared|renderer\/src|\.ci)\//.test(f) || f.endsWith('.map'),
  );
  assert.deepEqual(stray, []);
});

test('electron-builder: the icon exists and is large enough; installers go to a folder of their own, ignored by git', async () => {
  const config = readFileSync(path.join(repo, 'electron-builder.yml'), 'utf8');
  const setting = (key: string) => new RegExp(`^\\s+${key}: (\\S+)$`, 'm').exec(config)?.[1];
  const icon = path.join(repo, setting('buildResources') ?? 'missing', 'icon.png');
  const meta = await sharp(icon).metadata();
  assert.ok(meta.width! >= 512 && meta.width === meta.height, `${icon}: ${meta.width}x${meta.height}`);
  const output = setting('output');
  assert.ok(
    output && output !== 'out',
    `installers would land in ${output}, beside the README's segment output`,
  );
  assert.match(readFileSync(path.join(repo, '.gitignore'), 'utf8'), new RegExp(`^${output}/$`, 'm'));
});
