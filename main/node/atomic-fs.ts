// Writes that either complete or leave nothing behind under the target name: a killed process or a full disk
// never leaves a half-written model directory or output file where a reader would pick it up.
import { mkdir, rename, rm, writeFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A hidden sibling name for a temporary that is renamed onto `target` when complete. */
export function tempSibling(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Writes a file through a temporary sibling and a rename (atomic on one filesystem). */
export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const tmp = tempSibling(target);
  try {
    await writeFile(tmp, data);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
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
  await mkdir(dirname(target), { recursive: true });
  await removeStaleTemps(dirname(target), basename(target));
  const tmp = tempSibling(target);
  await mkdir(tmp, { recursive: true });
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
    await rm(tmp, { recursive: true, force: true });
    throw err;
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
  const prefix = `.${name}.tmp-`;
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length).split('-')[0]);
    if (Number.isFinite(pid) && pid !== process.pid && !processAlive(pid)) {
      await rm(join(dir, entry), { recursive: true, force: true });
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
