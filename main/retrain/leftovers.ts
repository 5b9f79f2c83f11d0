// A retrain killed outright (SIGKILL, power cut) cannot remove its temporary training set. Its folder names the run
// and the process, so when that run is closed as interrupted (its process is gone) the folder can be removed
// without touching the folder of a live retrain of another database that has the same run id.
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failInterruptedRuns, getTrainingRun, type Store } from '../store/index.js';
import { processAlive } from '../node/process-alive.js';

/** The mkdtemp prefix of an artery/vein or disc retrain's prepared samples, by the process that makes them. */
export function anatomySamplesPrefix(pid: number): string {
  return `retina-anatomy-retrain-${pid}-`;
}

/** Prepared anatomy samples left by a process that is gone (a killed retrain cannot remove its own). */
async function removeDeadAnatomySamples(): Promise<void> {
  const names = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const name of names) {
    const pid = /^retina-anatomy-retrain-(\d+)-.{6}$/.exec(name)?.[1];
    if (pid !== undefined && !processAlive(Number(pid)))
      await rm(join(tmpdir(), name), { recursive: true, force: true });
  }
}

/** The mkdtemp prefix of a run's training set (mkdtemp appends 6 characters). */
export function trainingSetPrefix(runId: number, pid: number): string {
  return `retina-retrain-${runId}-${pid}-`;
}

async function removeTrainingSets(runId: number, pid: number): Promise<void> {
  const prefix = trainingSetPrefix(runId, pid);
  const names = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const name of names) {
    if (name.startsWith(prefix) && name.length === prefix.length + 6) {
      await rm(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

/**
 * failInterruptedRuns, and the temporary training sets those runs left: only runs whose recorded process no
 * longer exists are closed, so nothing a live process uses is removed. Returns the ids it failed.
 */
export async function closeInterruptedRuns(store: Store): Promise<number[]> {
  const failed = failInterruptedRuns(store);
  if (failed.length > 0) await removeDeadAnatomySamples();
  for (const id of failed) {
    const { pid } = getTrainingRun(store, id);
    // A run with no pid (written before pids were recorded) cannot name its folder.
    if (pid !== null) await removeTrainingSets(id, pid);
  }
  return failed;
}
