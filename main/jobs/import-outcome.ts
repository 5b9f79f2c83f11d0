// How an import's outcome reads to the user: every file that could not be imported, named as the user knows it
// (an upload by its own name, never the temporary path it was staged under), with a one-line reason, and one
// summary line that counts what happened ("Imported 3 of 5; 2 files could not be imported").
import { basename, relative } from 'node:path';
import type { ErrorPayload } from '../../shared/contract.js';
import type { ImportReport } from '../store/index.js';
import { plural } from '../../shared/plural.js';

export interface ImportFailure {
  file: string;
  reason: string;
}

export interface ImportOutcome {
  report: ImportReport;
  /** Failed files, and files the user picked one by one that were not imported (skipped, with why). */
  failures: ImportFailure[];
  /** Images imported that a person should look at (a patient ID like another's), with what to do. */
  warnings: ImportFailure[];
  /** Files an imported folder or dataset holds that are not images to import (annotations, second observers). */
  otherSkipped: number;
  /** The reason most of those share, and how many share it (null when no reason covers two of them). */
  otherReason: { reason: string; count: number } | null;
}

/** Longest reason kept: enough for any importer message, short enough for one line in the jobs tray. */
const MAX_REASON = 240;
/** File names listed in a job's one-line error before "and N more". */
const NAMES_IN_ERROR = 3;

/**
 * Names the paths an import read as the user knows them: staged uploads by the name they were uploaded under,
 * files inside an imported folder relative to it, any other file by its own name.
 */
export class ImportNames {
  /** Staged paths, longest first, so a path is never replaced by a shorter one it starts with. */
  private readonly stagedPaths: string[];

  constructor(
    private readonly staged: ReadonlyMap<string, string> = new Map(),
    private readonly root: string | null = null,
  ) {
    this.stagedPaths = [...staged.keys()].sort((a, b) => b.length - a.length);
  }

  name(path: string): string {
    const uploaded = this.staged.get(path);
    if (uploaded !== undefined) return uploaded;
    if (this.root !== null) {
      const inside = relative(this.root, path);
      if (inside && !inside.startsWith('..')) return inside;
    }
    return basename(path);
  }

  /** An importer's message about `path`, without the file prefix and with every staged path named. */
  reason(message: string, path: string): string {
    let text = message.split('\n')[0];
    for (const p of this.stagedPaths) text = text.split(p).join(this.staged.get(p));
    for (const prefix of [`${path}: `, `${this.name(path)}: `]) {
      if (text.startsWith(prefix)) text = text.slice(prefix.length);
    }
    text = text.trim() || 'could not be imported';
    return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
  }
}

/**
 * What an import did, for the user. `picked` holds the paths the user chose one by one: a picked file that
 * was skipped (an annotation with no photograph, a picture that looks like a label) is one of them too, while
 * files an imported folder or dataset leaves out are not (a dataset's second observers are no failure).
 */
export function importOutcome(
  report: ImportReport,
  names: ImportNames,
  picked: ReadonlySet<string>,
): ImportOutcome {
  // Named: files the user picked, and any file the user should act on (see SkippedFile.notice).
  const pickedSkipped = report.skipped.filter((s) => picked.has(s.source) || s.notice);
  const failures = [
    ...report.failed.map((f) => ({ file: names.name(f.source), reason: names.reason(f.error, f.source) })),
    ...pickedSkipped.map((s) => ({ file: names.name(s.source), reason: names.reason(s.reason, s.source) })),
  ];
  const warnings = report.warnings.map((w) => ({
    file: names.name(w.source),
    reason: names.reason(w.message, w.source),
  }));
  const others = report.skipped.filter((s) => !picked.has(s.source) && !s.notice);
  return { report, failures, warnings, otherSkipped: others.length, otherReason: commonestReason(others) };
}

/**
 * The job's summary line; the failures themselves travel in JobInfo.failures. It says how many photographs came
 * with their reference masks, and why the other files of a folder or dataset were left out (the commonest reason),
 * so that "20 other files" in a dataset import is not a mystery.
 */
export function importMessage({
  report,
  failures,
  warnings,
  otherSkipped,
  otherReason,
}: ImportOutcome): string {
  const imported = report.imported.length;
  const duplicates = report.duplicates.length;
  const considered = imported + duplicates + failures.length;
  let line =
    failures.length > 0 ? `Imported ${imported} of ${considered}` : `Imported ${plural(imported, 'image')}`;
  const masked = report.imported.filter((i) => i.maskVersionId !== null).length;
  if (masked > 0) line += ` (${masked === imported ? 'each' : masked} with its reference mask)`;
  if (duplicates > 0) line += `, ${duplicates} already in the database`;
  const filled = report.duplicates.filter((d) => d.filled).length;
  if (filled > 0) line += ` (${filled === 1 ? 'one' : filled} given the eye or patient its new name says)`;
  if (failures.length > 0) {
    line += `; ${plural(failures.length, 'file')} could not be imported`;
  }
  if (otherSkipped > 0) {
    line += `; ${plural(otherSkipped, 'other file')} not imported as images`;
    if (otherReason)
      line += ` (${otherReason.count === otherSkipped ? '' : `${otherReason.count}: `}${otherReason.reason})`;
  }
  if (warnings.length > 0) line += `; ${plural(warnings.length, 'warning')} to read`;
  return line;
}

/** The reason most of the left-out files share, with how many share it; null when no reason covers two. */
function commonestReason(skipped: readonly { reason: string }[]): ImportOutcome['otherReason'] {
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  let best: { reason: string; count: number } | null = null;
  for (const [reason, count] of counts) if (!best || count > best.count) best = { reason, count };
  return best && best.count >= 2 ? best : null;
}

/** Set when nothing was imported because every file was bad: the job then fails with this one-line error. */
export function importError({ report, failures }: ImportOutcome): ErrorPayload | null {
  if (failures.length === 0 || report.imported.length > 0 || report.duplicates.length > 0) return null;
  if (failures.length === 1) {
    return { code: 'unreadable-file', message: `${failures[0].file}: ${failures[0].reason}` };
  }
  const shown = failures.slice(0, NAMES_IN_ERROR).map((f) => f.file);
  const more = failures.length - shown.length;
  return {
    code: 'unreadable-file',
    message: `none of the ${failures.length} files could be imported: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
  };
}
