// The single-user server's access token, kept per study: `retina serve` started again on the same study (after a
// crash, an update, Ctrl+C) answers the windows still open with the address it printed before, instead of refusing
// every request they make. It lives in the per-user state folder (never beside the database, which may be copied,
// shared or exported), in a file only this user may read; one that others could read, or that is not a plain file
// of this user's, is not trusted and a fresh token replaces it. Another study has another token, and `--new-token`
// replaces the study's, so no window opened before gets in.
import { createHash } from 'node:crypto';
import { lstat, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../node/atomic-fs.js';
import { studyKey } from '../store/index.js';
import { newToken } from './access.js';

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The file holding `location`'s token under `stateDir`. */
export function studyTokenPath(stateDir: string, location: string): string {
  const name = createHash('sha256').update(studyKey(location)).digest('hex').slice(0, 32);
  return join(stateDir, 'serve-tokens', name);
}

/** The kept token, or null where there is none this user alone could have written. */
async function readKept(file: string): Promise<string | null> {
  try {
    const st = await lstat(file);
    if (!st.isFile()) return null;
    if (process.platform !== 'win32' && ((st.mode & 0o077) !== 0 || st.uid !== process.getuid?.()))
      return null;
    const token = (await readFile(file, 'utf8')).trim();
    return TOKEN_SHAPE.test(token) ? token : null;
  } catch {
    return null;
  }
}

export interface StudyToken {
  token: string;
  /** Why it could not be kept for the next start (the windows then need the new address after a restart). */
  warning?: string;
}

/** The study's token: the one kept from an earlier start, else (or with `fresh`) a new one, kept for the next. */
export async function studyToken(
  stateDir: string,
  location: string,
  opts: { fresh?: boolean } = {},
): Promise<StudyToken> {
  const file = studyTokenPath(stateDir, location);
  const kept = opts.fresh ? null : await readKept(file);
  if (kept) return { token: kept };
  const token = newToken();
  try {
    await mkdir(join(stateDir, 'serve-tokens'), { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, `${token}\n`, { mode: 0o600 });
    return { token };
  } catch (err) {
    return {
      token,
      warning: `the access token could not be kept for the next start (${(err as Error).message}): after a restart, open the new address`,
    };
  }
}
