// The public datasets a benchmark reads live outside the checkout (../shared/datasets, or RETINA_DATASETS), so a
// fresh machine has none: a benchmark, or a part of one, that cannot run without them says so in one line and
// which folders it looked for, instead of failing part way with a stack trace.
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The entries of `names` (paths relative to the datasets folder `root`) that are not there. */
export function missingDatasets(root: string, names: readonly string[]): string[] {
  return names.filter((n) => !existsSync(path.join(root, n)));
}

/** The line that says what is skipped for want of which datasets. */
export function skippedLine(what: string, root: string, missing: readonly string[]): string {
  return `${what}: skipped: ${missing.join(', ')} not found under ${root} (set RETINA_DATASETS)`;
}

/**
 * Ends a benchmark that has nothing to measure without `names`, the way bench:retrain and bench:active do: one
 * line, exit status 0 (a skip, not a failure). Returns when everything is there.
 */
export function exitUnlessDatasets(bench: string, root: string, names: readonly string[]): void {
  const missing = missingDatasets(root, names);
  if (missing.length === 0) return;
  console.log(skippedLine(`bench:${bench}`, root, missing));
  process.exit(0);
}
