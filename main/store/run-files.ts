// Files a retrain leaves beside the database (`<db>.runs/<run id>/`): where they are is the store's to say, since
// erasing an image must find the pictures drawn from it there.
import { join } from 'node:path';
import type { Store } from './database.js';

export function runArtifactsDir(store: Store, runId: number): string {
  return join(store.beside('runs'), String(runId));
}

/** A held-out image's difference overlay: drawn on the photograph itself. */
export function overlayPath(store: Store, runId: number, imageId: number): string {
  return join(runArtifactsDir(store, runId), `overlay-${imageId}.png`);
}
