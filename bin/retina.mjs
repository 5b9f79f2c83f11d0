#!/usr/bin/env node
// The `retina` command. Runs the compiled CLI when it has been built (npm ci builds it),
// otherwise compiles the TypeScript sources on the fly with tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = fileURLToPath(new URL('../dist/main/cli/main.js', import.meta.url));
if (existsSync(built) && !process.env.RETINA_FROM_SOURCE) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../main/cli/main.ts', import.meta.url).href);
}
