// Writes that either complete or leave nothing behind under the target name: a killed process or a full disk
// never leaves a half-written model directory or output file where a reader would pick it up.
import { processAlive } from './process-alive.js';
import { mkdir, rename, rm, writeFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';

/** File names longer than this many bytes are refused by most file systems. */
const NAME_MAX = 255;

/**
 * The part of a temporary's name that says whose it is: the target's own name, shortened (with a hash, so two long
 * names stay apart) when the temporary's additions would take it past NAME_MAX while the target itself fits.
 */
function tempStem(name: string): string {
  if (Buffer.byteLength(name) <= NAME_MAX - 40) return name;
  let head = name;
  while (Buffer.byteLength(head) > NAME_MAX - 60) head = head.slice(0, -1);
  return `${head}~${createHash('sha1').update(name).digest('hex').slice(0, 8)}`;
}

/** A hidden sibling name for a temporary that is renamed onto `target` when complete. */
export function tempSibling(target: string): string {
  const stem = tempStem(basename(target));
  return join(dirname(target), `.${stem}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** What a person should read for the system errors a write meets on a user's machine. */
const WRITE_FAILURES: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'part of the path is a file, not a folder',
  // mkdir's answer when a file stands where a folder of the path should be.
  EEXIST: 'part of the path is a file, not a folder',
  EISDIR: 'a folder has that name',
};

/** The reason in words for a system error code a write met (`the disk is full`), or undefined for another. */
export function writeFailureWords(code: string | undefined): string | undefined {
  return code === undefined ? undefined : WRITE_FAILURES[code];
}

/** A write that failed for a reason of the machine's (full disk, permissions), named by what it was writing. */
export class WriteFailure extends Error {
  override name = 'WriteFailure';
  constructor(
    readonly target: string,
    readonly code: string,
    cause: unknown,
  ) {
    super(`cannot write ${target}: ${WRITE_FAILURES[code]} (${code})`, { cause });
  }
}

/**
 * The error to report for a failed write: "cannot write out/eye_prob.png: the disk is full (ENOSPC)" rather than
 * the system's "ENOSPC: no space left on device, write", which names neither the file nor what to do; the innermost
 * write names it (a model folder's failure reports the file inside it that failed).
 */
export function writeFailure(target: string, err: unknown): unknown {
  if (err instanceof WriteFailure) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code && code in WRITE_FAILURES ? new WriteFailure(target, code, err) : err;
}

/** Creates an output folder (and its parents), failing like a write when the machine refuses. */
export async function makeOutputDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw writeFailure(dir, err);
  }
}

/** Writes a file through a temporary sibling and a rename (atomic on one filesystem). */
export async function writeFileAtomic(
  target: string,
  data: Uint8Array | string,
  opts: { mode?: number } = {},
): Promise<void> {
  const tmp = tempSibling(target);
  try {
    await mkdir(dirname(target), { recursive: true });
    // Created with its mode (and never an existing file followed): a secret is never readable by others meanwhile.
    await writeFile(tmp, data, opts.mode === undefined ? {} : { mode: opts.mode, flag: 'wx' });
    await rename(tmp, target);
  } catch (err) {
    // Best effort: where the write itself failed (a path through a file), so may the removal.
    await rm(tmp, { force: true }).catch(() => undefined);
    throw writeFailure(target, err);
  }
}

/**
 * Builds a directory in a temporary sibling and renames it into place when `fill` succeeds.
 * With `overwrite`, an existing target is replaced only after the new one is complete.
 */
export async function writeDirAtomic(
  target: string,
  fill: (tmpDir: string) => Promise<void>,
  opts: { overwrite?: boolean } = {},
): Promise<void> {
  if (existsSync(target) && !opts.overwrite) {
    throw new Error(`${target} already exists (choose another output or pass --force)`);
  }
  const tmp = tempSibling(target);
  try {
    await mkdir(dirname(target), { recursive: true });
    await removeStaleTemps(dirname(target), basename(target));
    await mkdir(tmp, { recursive: true });
  } catch (err) {
    throw writeFailure(target, err);
  }
  try {
    await fill(tmp);
    if (existsSync(target)) {
      const old = `${tmp}.old`;
      await rename(target, old);
      await rename(tmp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, target);
    }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw writeFailure(target, err);
  }
}

/** Temporaries left by a killed process: named after the target, owned by a pid that no longer runs. */
async function removeStaleTemps(dir: string, name: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return;
  }
  const prefix = `.${tempStem(name)}.tmp-`;
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length).split('-')[0]);
    if (Number.isFinite(pid) && pid !== process.pid && !processAlive(pid)) {
      await rm(join(dir, entry), { recursive: true, force: true });
    }
  }
}

/**
 * Files that appear together or not at all (one photograph's outputs): each is written to a hidden temporary as its
 * bytes become ready, while the caller goes on, and `commit` renames every one into place once all are written. A
 * failure (a full disk, an error of the caller's before the commit) removes the temporaries and leaves whatever was
 * there before as it was: never a new mask beside an old probability map.
 */
export class FileGroup {
  private readonly staged: { target: string; tmp: string; written: Promise<void> }[] = [];

  write(target: string, bytes: Promise<Uint8Array | string> | Uint8Array | string): void {
    const tmp = tempSibling(target);
    const written = Promise.resolve(bytes)
      .then((data) => writeFile(tmp, data))
      .catch((err: unknown) => {
        throw writeFailure(target, err);
      });
    // Awaited by commit or discard; until then a failure must not count as unhandled.
    written.catch(() => undefined);
    this.staged.push({ target, tmp, written });
  }

  async commit(): Promise<void> {
    const failed = (await Promise.allSettled(this.staged.map((s) => s.written))).find(
      (r): r is PromiseRejectedResult => r.status === 'rejected',
    );
    if (failed) {
      await this.discard();
      throw failed.reason;
    }
    for (const s of this.staged) {
      try {
        await rename(s.tmp, s.target);
      } catch (err) {
        // Only a folder removed under the command gets here; the files renamed before it stay.
        await this.discard();
        throw writeFailure(s.target, err);
      }
    }
  }

  /** Removes what was staged and not committed (after the writes in flight have ended). */
  async discard(): Promise<void> {
    await Promise.allSettled(this.staged.map((s) => s.written));
    await Promise.all(this.staged.map((s) => rm(s.tmp, { force: true }).catch(() => undefined)));
  }
}
