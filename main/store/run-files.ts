// Files a retrain leaves beside the database (`<db>.runs/<run id>/`): where they are is the store's to say, since
// erasing an image must find the pictures drawn from it there.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from './database.js';

export function runArtifactsDir(store: Store, runId: number): string {
  return join(store.beside('runs'), String(runId));
}

/** A held-out image's difference overlay: drawn on the photograph itself. */
export function overlayPath(store: Store, runId: number, imageId: number): string {
  return join(runArtifactsDir(store, runId), `overlay-${imageId}.png`);
}

/**
 * Makes `<db>.runs` or `<db>.models` (and `sub` in it) as private as the study: its runs hold pictures drawn on
 * patients' photographs, its model cards name the images trained on. A team's shared folder keeps the umask's
 * modes (workers on other machines, perhaps as other users, read and write it).
 */
export async function makeSideDir(store: Store, name: 'runs' | 'models', sub?: string): Promise<string> {
  const mode = store.kind === 'sqlite' ? 0o700 : undefined;
  const dir = store.beside(name);
  await mkdir(dir, { recursive: true, mode });
  if (sub === undefined) return dir;
  await mkdir(join(dir, sub), { recursive: true, mode });
  return join(dir, sub);
}
