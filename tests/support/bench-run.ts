// A benchmark as an ML engineer runs it (`npm run bench:NAME -- args`), in a child process, pointed at a datasets
// folder of the test's choosing (an empty one: a bench that went on past its command line would skip or fail on
// the datasets, never run for long).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../e2e/model-fixture.js';

export function runBench(name: string, args: string[], datasets: string) {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'bench', `${name}.bench.ts`), ...args],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, RETINA_DATASETS: datasets },
      timeout: 120_000,
    },
  );
}
