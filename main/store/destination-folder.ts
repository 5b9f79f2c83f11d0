// The folder a backup or copy is written into, made when missing, and the reason in words when it cannot be: Node's
// recursive mkdir reports a read-only disk as ENOENT (it stats the folder it failed to make) and a file standing
// where a folder should be as EEXIST, neither of which tells a clinic's IT person what is wrong.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { writeFailureWords } from '../node/atomic-fs.js';

/** Makes `dir` (and the folders above it); returns the first folder it made, or undefined when it was there. */
export async function makeDestinationFolder(dir: string): Promise<string | undefined> {
  try {
    const made = await mkdir(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK);
    return made;
  } catch (err) {
    throw new Error(whyNotWritable(dir, (err as NodeJS.ErrnoException).code));
  }
}

/** Why no file can be made in `dir`, in words with the system's code: the folder in the way, or what refused. */
export function whyNotWritable(dir: string, code: string | undefined): string {
  const file = fileInTheWay(dir);
  if (file) return `${file} is a file, not a folder`;
  // The nearest folder that exists is the one that refused (read-only media, another user's folder).
  let existing = resolve(dir);
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  let refused = code;
  try {
    accessSync(existing, constants.W_OK);
  } catch (err) {
    refused = (err as NodeJS.ErrnoException).code ?? refused;
  }
  if (refused === 'EROFS') return `${existing} is on a read-only disk (EROFS)`;
  if (refused === 'EACCES' || refused === 'EPERM')
    return `${existing} is not writable by this user (${refused})`;
  return `${existing}: ${writeFailureWords(refused) ?? 'cannot write there'} (${refused ?? 'unknown error'})`;
}

/** The first path from the root down to `dir` that is a file, where a folder should be; null when none is. */
export function fileInTheWay(dir: string): string | null {
  const parts = resolve(dir).split(sep);
  for (let i = 2; i <= parts.length; i++) {
    const p = parts.slice(0, i).join(sep) || sep;
    if (existsSync(p) && !statSync(p).isDirectory()) return p;
  }
  return null;
}
