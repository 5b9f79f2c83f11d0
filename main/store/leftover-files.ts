// Leftover files: a blob stored by an import or save that was killed before its row committed (file-store.ts
// writes files first), or the half-written temporary (`.tmp-<pid>-<hex>`) of one killed mid-write. No record will
// ever name them; `retina db check` counts them and `retina db compact` removes those older than a grace period.
// The grace period is what keeps an import or save under way (in this or another process, on another machine of a
// team) safe: its file is on disk before its row commits, and put() refreshes the mtime of a file it reuses.
import { readdirSync, rmSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { blobsInUse } from './blobs-referenced.js';
import { recordAudit } from './audit.js';
import type { Store } from './database.js';

/**
 * Every blob file in the folder (two hex digits of fan-out), and the temporaries of writes (file-store.ts names them
 * `.tmp-<pid>-<hex>`): a killed import or save leaves its temporary behind, part of a photograph's bytes that no
 * record will ever name.
 */
export function blobFiles(dir: string): { blobs: Map<string, string>; temporaries: string[] } {
  const blobs = new Map<string, string>();
  const temporaries: string[] = [];
  let fans: string[];
  try {
    fans = readdirSync(dir);
  } catch {
    return { blobs, temporaries };
  }
  for (const fan of fans) {
    if (!/^[0-9a-f]{2}$/.test(fan)) continue;
    let names: string[];
    try {
      names = readdirSync(join(dir, fan));
    } catch {
      continue; // not a folder
    }
    for (const rest of names) {
      if (/^[0-9a-f]{62}$/.test(rest)) blobs.set(fan + rest, join(dir, fan, rest));
      else if (/^\.tmp-\d+-[0-9a-f]+$/.test(rest)) temporaries.push(join(dir, fan, rest));
    }
  }
  return { blobs, temporaries };
}

export interface LeftoverReport {
  /** Files changed before this (ISO time) could go; newer ones are kept. */
  before: string;
  /** Leftover files removed (or that would be), and their bytes. */
  files: number;
  bytes: number;
  /** Leftover files newer than `before`, kept: their import or save may still be about to commit. */
  recent: number;
  /** Old leftovers that could not be removed (a shared folder's file another user owns). */
  left: number;
}

interface Leftover {
  file: string;
  /** null: a temporary. */
  hash: string | null;
}

const statOf = (file: string): Stats | null => {
  try {
    return statSync(file);
  } catch {
    return null;
  }
};

/** Every file of the folder no row (nor a queued job's upload) refers to, with its stat; temporaries included. */
function unreferenced(store: Store): { leftover: Leftover; stat: Stats }[] {
  const used = blobsInUse(store);
  const found = blobFiles(store.filesDir);
  const all: Leftover[] = [
    ...[...found.blobs].filter(([hash]) => !used.has(hash)).map(([hash, file]) => ({ file, hash })),
    ...found.temporaries.map((file) => ({ file, hash: null })),
  ];
  return all.flatMap((leftover) => {
    const stat = statOf(leftover.file);
    // A folder in a blob's place is nothing a removal of files should touch.
    return stat?.isFile() ? [{ leftover, stat }] : [];
  });
}

/**
 * Removes (`dryRun`: counts) the leftover files last changed before `before`. Each is checked again inside the
 * write that removes it, so an import or save that reused its bytes and committed since keeps it; one that reused
 * them and commits after finds it gone in its write and stores it again (import.ts commit, saveMaskVersion).
 */
export function removeLeftoverFiles(
  store: Store,
  opts: { before: Date; dryRun: boolean; actor: string },
): LeftoverReport {
  const cutoff = opts.before.getTime();
  const old = (stat: Stats): boolean => stat.mtimeMs < cutoff;
  const report = (files: number, bytes: number, recent: number, left: number): LeftoverReport => ({
    before: opts.before.toISOString(),
    files,
    bytes,
    recent,
    left,
  });
  const look = (): { candidates: Leftover[]; bytes: number; recent: number } => {
    const found = unreferenced(store);
    const candidates = found.filter((f) => old(f.stat));
    return {
      candidates: candidates.map((f) => f.leftover),
      bytes: candidates.reduce((n, f) => n + f.stat.size, 0),
      recent: found.length - candidates.length,
    };
  };
  const seen = store.backend.snapshot(look);
  if (opts.dryRun) return report(seen.candidates.length, seen.bytes, seen.recent, 0);
  // Nothing old enough (most runs): no write at all.
  if (seen.candidates.length === 0) return report(0, 0, seen.recent, 0);
  return store.write('remove leftover files', () => {
    const used = blobsInUse(store);
    let files = 0;
    let bytes = 0;
    let recent = seen.recent;
    let left = 0;
    for (const { file, hash } of seen.candidates) {
      if (hash !== null && used.has(hash)) continue; // a row committed since names it
      const stat = statOf(file);
      if (!stat?.isFile()) continue; // gone meanwhile
      // Reused since the look (put() refreshed it): an import or save is about to commit its row.
      if (!old(stat)) {
        recent++;
        continue;
      }
      try {
        rmSync(file);
        files++;
        bytes += stat.size;
      } catch {
        left++; // a shared folder's file another user owns: it stays, and `retina db check` counts it
      }
    }
    if (files > 0)
      recordAudit(store, opts.actor, 'study.leftovers.remove', 'database', null, {
        before: opts.before.toISOString(),
        files,
        bytes,
      });
    return report(files, bytes, recent, left);
  });
}
