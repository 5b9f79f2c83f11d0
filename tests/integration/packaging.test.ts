// What the packages carry: the npm tarball (`npm pack`) holds the built CLI, the built UI, the bundled models and
// the sample, and none of the repository's tests, benchmarks or sources; the desktop build's configuration names
// an icon that exists and writes its installers where nothing else does; `npm run package` puts Node's
// better-sqlite3 back even when electron-builder fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
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

/**
 * A project with this repository's `package` script and bin/, a no-op build, and two stand-ins (no network here,
 * and the real node_modules is not to be rebuilt): an electron-builder 26 that exits with `builderExit`, and a
 * better-sqlite3 whose install script (what `npm rebuild` runs) notes that it ran and exits with `restoreExit`.
 */
function packagingProject(builderExit: number, restoreExit: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'retina-package-'));
  const ours = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const json = (file: string, value: unknown): void => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(value));
  };
  json(path.join(dir, 'package.json'), {
    name: 'packaging-project',
    version: '1.0.0',
    private: true,
    scripts: { build: 'node -e 0', package: ours.scripts.package },
    allowScripts: { 'better-sqlite3': true },
  });
  cpSync(path.join(repo, 'bin'), path.join(dir, 'bin'), { recursive: true });
  const modules = path.join(dir, 'node_modules');
  json(path.join(modules, 'electron-builder', 'package.json'), {
    name: 'electron-builder',
    version: '26.0.0',
    bin: { 'electron-builder': 'cli.js' },
  });
  writeFileSync(
    path.join(modules, 'electron-builder', 'cli.js'),
    `#!/usr/bin/env node\nprocess.exit(${builderExit});\n`,
    { mode: 0o755 },
  );
  mkdirSync(path.join(modules, '.bin'));
  symlinkSync('../electron-builder/cli.js', path.join(modules, '.bin', 'electron-builder'));
  const restore = `require('fs').writeFileSync('../../restored', ''); process.exit(${restoreExit})`;
  json(path.join(modules, 'better-sqlite3', 'package.json'), {
    name: 'better-sqlite3',
    version: '12.0.0',
    scripts: { install: `node -e "${restore}"` },
  });
  return dir;
}

const npmRunPackage = (dir: string) =>
  spawnSync('npm', ['run', 'package'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, npm_config_offline: 'true', npm_config_update_notifier: 'false' },
  });

test("npm run package: Node's better-sqlite3 is rebuilt even when electron-builder fails, whose status is kept", () => {
  const failing = packagingProject(7, 0);
  const restoreFails = packagingProject(0, 3);
  try {
    const r = npmRunPackage(failing);
    assert.equal(r.status, 7, r.stdout + r.stderr);
    assert.ok(existsSync(path.join(failing, 'restored')), "Node's better-sqlite3 was left unbuilt");
    // The installers were made but Node's build was not put back: said, and the run fails.
    const s = npmRunPackage(restoreFails);
    assert.notEqual(s.status, 0);
    assert.match(
      s.stderr,
      /better-sqlite3 could not be rebuilt for Node \(run `npm rebuild better-sqlite3`\)/,
    );
  } finally {
    rmSync(failing, { recursive: true, force: true });
    rmSync(restoreFails, { recursive: true, force: true });
  }
});
