#!/usr/bin/env node
// Builds the optional native training kernels (native/ -> native/build/Release/retina_native.node) with node-gyp.
// The engine works without them (slower, on the wasm kernels), so a failed build prints one warning line and
// exits 0: `npm ci` must not fail on a machine without a C++ toolchain. RETINA_SKIP_NATIVE=1 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const nativeDir = join(root, 'native');
const addon = join(nativeDir, 'build', 'Release', 'retina_native.node');

function warn(reason) {
  console.warn(
    `warning: native training kernels not built (${reason}); training falls back to the wasm kernels`,
  );
  process.exit(0);
}

/** node-gyp's entry script: npm's own (npm sets npm_config_node_gyp for scripts), else a local install. */
function findNodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return fromNpm;
  try {
    return createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    const npmBundled = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules');
    const candidate = join(npmBundled, 'node-gyp', 'bin', 'node-gyp.js');
    return existsSync(candidate) ? candidate : null;
  }
}

if (process.env.RETINA_SKIP_NATIVE === '1') {
  console.log('native training kernels: skipped (RETINA_SKIP_NATIVE=1)');
  process.exit(0);
}
const gyp = findNodeGyp();
if (!gyp) warn('node-gyp not found');
const args = [gyp, 'rebuild', '--release', `--directory=${nativeDir}`];
// Build against the running Node's own headers when npm has not named them, so no download is attempted.
const localHeaders = join(dirname(process.execPath), '..', 'include', 'node', 'node_api.h');
if (!process.env.npm_config_nodedir && existsSync(localHeaders)) {
  args.push(`--nodedir=${join(dirname(process.execPath), '..')}`);
}
const r = spawnSync(process.execPath, args, { cwd: nativeDir, encoding: 'utf8' });
if (r.status !== 0 || !existsSync(addon)) {
  const lines = `${r.stderr ?? ''}\n${r.stdout ?? ''}`
    .split('\n')
    .map((l) => l.trim())
    .filter(
      (l) => /error/i.test(l) && !/^gyp (info|ERR!) (cwd|node -v|node-gyp -v|command|System|not ok)/.test(l),
    );
  warn(r.error ? r.error.message : (lines[0] ?? `node-gyp exited with ${r.status}`));
}
console.log(`native training kernels built: ${addon}`);
