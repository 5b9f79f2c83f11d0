// The datasets folder a command reads when it is given none: $RETINA_DATASETS, else ../shared/datasets beside the
// installation. A newcomer's machine has neither, so a missing one is refused saying both ways to name it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { datasetsRoot } from '../node/package-root.js';

/** `name` (DRIVE) inside the datasets folder, or the folder itself; an error naming `option` when it is missing. */
export function defaultDatasets(option: string, name?: string): string {
  const dir = name ? join(datasetsRoot(), name) : datasetsRoot();
  if (!existsSync(dir))
    throw new Error(
      `${dir}: no such folder; give ${option} DIR, or set RETINA_DATASETS to the folder that holds ` +
        (name ?? 'the datasets'),
    );
  return dir;
}
