// The built renderer (renderer/dist), served read-only. Only files under the folder are reachable; paths are
// decoded once and checked after resolution, so `..` and encoded slashes cannot escape it.
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticFile {
  body: Buffer;
  contentType: string;
  isIndex: boolean;
}

/** The file for a URL path, index.html for "/" (and for paths without an extension: client-side routes). */
export async function readStatic(root: string, pathname: string): Promise<StaticFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const base = resolve(root);
  const wantsIndex = decoded === '/' || extname(decoded) === '';
  const file = wantsIndex ? join(base, 'index.html') : resolve(base, '.' + decoded);
  if (file !== base && !file.startsWith(base + sep)) return null;
  try {
    if (!(await stat(file)).isFile()) return null;
    const body = await readFile(file);
    return {
      body,
      contentType: TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      isIndex: wantsIndex,
    };
  } catch {
    return null;
  }
}
